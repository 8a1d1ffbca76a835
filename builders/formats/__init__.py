"""Stage 5, the other formats: the tables for Stata, Excel and Croissant users, derived from the metadata; the
evidence as Web Annotations; and the release zip's writer (``zip_writer``, ``zip_members``)."""
