"""Check a RUSPRK data package: descriptor, files, schemas, keys, dates and quotes.

``rusprk validate`` reads each table's Parquet copy in batches of the types
``rusprk.metadata`` declares, checks its CSV twin against those rows, and
checks every rule column-wise with ``pyarrow.compute`` on a thread pool (no
per-row Python), so a million rows take seconds and no pandas is involved.
Every problem names the table, the row id (or the file) and the field.

The pipeline, one module each:

* ``rules``: the cross-field rules as data (shared with the test strategies);
* ``read``: descriptor, files, hashes, Parquet batches, the CSV twin;
* ``checks``: rules within a table (fields, dates, rows, keys);
* ``quotes``: seeds and quotes at their offsets;
* ``across``: references and evidence across tables;
* ``report``: problems, named rows merged across batches;
* ``stream``: runs it all, fast (``Mode.fast``) or the slow reference way (``Mode.reference``);
* ``meaning``: the meaning rules, run on a package whose form is valid (``Mode.meaning``), and by the
  build on its rows before anything is written.

Public API: ``Problem``, ``ValidationFailed``, ``Mode``, ``check_frames`` (used
by the build on pandas frames), ``read_package`` and ``validate_package``.
"""

from __future__ import annotations

from rusprk.validate.report import MAX_REPORTED_PER_CHECK, Problem, ValidationFailed
from rusprk.validate.rules import (AT_MOST_ONE, DERIVED_IDS, EXACTLY_ONE, IMPLIES, MOJIBAKE, derived_id,
                                   references)
from rusprk.validate.stream import Mode, check_frames, read_package, validate_package

__all__ = ["Problem", "ValidationFailed", "Mode", "check_frames", "read_package", "validate_package", "references",
           "derived_id", "EXACTLY_ONE", "AT_MOST_ONE", "IMPLIES", "DERIVED_IDS", "MOJIBAKE", "MAX_REPORTED_PER_CHECK"]
