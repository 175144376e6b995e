"""The certified GA-06 numbers that ../shared/data/PROVENANCE.md lists under "Checks (all exact)".

One copy for every test that checks a parser, a merge or a reconstructed night against them.
"""

HOUSE = "U.S. Representative, District 6"
SENATE = "State Senator, District 32"

#: 18 April 2017, House race, all precincts and vote types, by surname.
APRIL_HOUSE_TOTALS = {
    "OSSOFF": 92_673,
    "HANDEL": 38_071,
    "GRAY": 20_802,
    "MOODY": 17_028,
    "HILL": 16_870,
    "WILSON": 1_820,
    "ABROMS": 1_639,
    "EDWARDS": 504,
    "SLOTIN": 491,
    "LEVELL": 455,
    "BHUIYAN": 415,
    "GRAWERT": 415,
    "KREMER": 351,
    "LLOP": 326,
    "QUIGG": 304,
    "KEATLEY": 229,
    "HERNANDEZ": 121,
    "POLLARD": 55,
}
APRIL_HOUSE_TOTAL = 192_569
#: District by canonical vote type, (Ossoff, Handel); "early" = the "Advance in Person*" buckets.
APRIL_BY_VOTE_TYPE = {
    "election_day": (56_234, 30_439),
    "mail": (5_046, 455),
    "early": (31_153, 7_107),
    "provisional": (240, 70),
}
APRIL_PRECINCTS = {"Cobb": 50, "DeKalb": 43, "Fulton": 115}
#: 20 June 2017 runoff, (Handel, Ossoff) per county.
JUNE_BY_COUNTY = {"Cobb": (45_688, 33_114), "DeKalb": (24_117, 33_928), "Fulton": (64_994, 58_475)}
