"""Training: the loop, checkpoints, devices, and config -> object construction."""
