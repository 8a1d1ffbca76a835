# Read the RUSPRK tables in R, typed as the package descriptor declares.
#
#   source("rusprk.R")
#   events <- rusprk_read("events")            # in the unzipped release folder
#   tables <- rusprk_read_all("path/to/rusprk-0.2.0")
#
# Needs jsonlite and readr (CRAN; Debian: r-cran-jsonlite, r-cran-readr).
# Each column gets the type datapackage.json gives it: text as character,
# integer as integer, boolean as logical, date as Date, and every field with
# a vocabulary as a factor whose levels are the vocabulary's codes in the
# codebook's order.  Each column carries its description as attr "label"
# (the convention haven, labelled and RStudio's viewer use), a factor also
# its level descriptions as attr "level_labels"; the table carries its
# description.  An empty cell is NA.

rusprk_descriptor <- function(folder = ".") {
  jsonlite::fromJSON(file.path(folder, "datapackage.json"), simplifyVector = FALSE)
}

rusprk_read <- function(table, folder = ".", descriptor = rusprk_descriptor(folder)) {
  res <- Filter(function(r) identical(r$name, table) && identical(r$type, "table"), descriptor$resources)
  if (length(res) != 1) {
    names <- vapply(Filter(function(r) identical(r$type, "table"), descriptor$resources),
                    function(r) r$name, "")
    stop("no table '", table, "' in ", file.path(folder, "datapackage.json"),
         "; the tables are ", paste(names, collapse = ", "), call. = FALSE)
  }
  res <- res[[1]]
  fields <- res$schema$fields
  readr_type <- c(string = "c", integer = "i", boolean = "l", date = "D")
  spec <- paste(readr_type[vapply(fields, function(f) f$type, "")], collapse = "")
  # trim_ws = FALSE: text is verbatim (a quote's prefix and suffix end in spaces, may be one space)
  data <- readr::read_csv(file.path(folder, res$path), col_types = spec, na = "", trim_ws = FALSE,
                          locale = readr::locale(encoding = "UTF-8"), progress = FALSE)
  data <- as.data.frame(data, stringsAsFactors = FALSE)
  for (f in fields) {
    column <- data[[f$name]]
    if (!is.null(f$categories)) {
      levels <- vapply(f$categories, function(c) c$value, "")
      column <- factor(column, levels = levels)
      attr(column, "level_labels") <- stats::setNames(vapply(f$categories, function(c) c$label, ""), levels)
    }
    attr(column, "label") <- f$description
    data[[f$name]] <- column
  }
  attr(data, "label") <- res$description
  data
}

rusprk_read_all <- function(folder = ".") {
  descriptor <- rusprk_descriptor(folder)
  tables <- Filter(function(r) identical(r$type, "table"), descriptor$resources)
  names <- vapply(tables, function(r) r$name, "")
  stats::setNames(lapply(names, rusprk_read, folder = folder, descriptor = descriptor), names)
}
