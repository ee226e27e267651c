"""Data layer: record types, readers, windowing, splits, lazy windows, the dataset catalog."""
