"""Stage 5, the other formats: the tables for Stata, Excel and Croissant users, derived from the metadata."""
