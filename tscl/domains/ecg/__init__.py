"""ECG: lead selection, band-pass filtering and beat windows with AAMI classes."""
