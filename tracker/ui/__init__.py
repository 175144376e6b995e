"""The Qt shell: shows Snapshots and forwards user actions; owns no election logic."""
