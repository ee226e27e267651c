"""Domain modules: preprocessing, default augmentations and positives per signal family."""
