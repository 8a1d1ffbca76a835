"""``croissant.json``: the package described in Croissant 1.0 (schema.org ``Dataset`` + record sets).

The schema.org core (``schema_org_dataset``) is one function, so the
Croissant file, search engines' JSON-LD and any page that describes the
dataset say the same thing.  Record sets and fields come from the metadata:
one record set per table, read from its CSV file, keyed by its primary key,
each foreign key a ``references``.
"""

from __future__ import annotations

import hashlib

from rusprk.metadata import RESOURCE_ORDER, resource

CONFORMS_TO = "http://mlcommons.org/croissant/1.0"

#: Metadata type -> schema.org data type.
DATA_TYPES = {"string": "sc:Text", "integer": "sc:Integer", "boolean": "sc:Boolean", "date": "sc:Date"}

CONTEXT = {
    "@language": "en", "@vocab": "https://schema.org/", "sc": "https://schema.org/",
    "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/",
    "dct": "http://purl.org/dc/terms/",
    "citeAs": "cr:citeAs", "column": "cr:column", "conformsTo": "dct:conformsTo",
    "data": {"@id": "cr:data", "@type": "@json"}, "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "equivalentProperty": "cr:equivalentProperty", "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract", "field": "cr:field", "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject", "fileSet": "cr:fileSet", "format": "cr:format", "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath", "key": "cr:key", "md5": "cr:md5",
    "parentField": "cr:parentField", "path": "cr:path", "recordSet": "cr:recordSet",
    "references": "cr:references", "regex": "cr:regex", "repeated": "cr:repeated", "replace": "cr:replace",
    "samplingRate": "cr:samplingRate", "separator": "cr:separator", "source": "cr:source",
    "subField": "cr:subField", "transform": "cr:transform",
}


def schema_org_dataset(descriptor: dict, citation: dict, bibtex: str) -> dict:
    """The schema.org ``Dataset`` core: name, description, version, licence, creators, citation."""
    core = {
        "@type": "sc:Dataset",
        "name": descriptor["title"],
        "description": descriptor["description"],
        "version": citation["version"],
        "datePublished": citation["date_released"],
        "url": citation["url"],
        "license": descriptor["licenses"][0]["path"],
        "creator": [{"@type": "sc:Organization", "name": a} for a in citation["authors"]],
        "keywords": descriptor["keywords"],
        "isAccessibleForFree": True,
        "citeAs": bibtex,
    }
    if citation["doi"]:
        core["identifier"] = f"https://doi.org/{citation['doi']}"
    return core


def croissant(descriptor: dict, citation: dict, bibtex: str, files: dict[str, bytes]) -> dict:
    doc = {"@context": CONTEXT, **schema_org_dataset(descriptor, citation, bibtex), "conformsTo": CONFORMS_TO}
    doc["distribution"] = [
        {"@type": "cr:FileObject", "@id": f"{name}.csv", "name": f"{name}.csv",
         "description": f"The {name} table as CSV (UTF-8, no BOM, comma-separated, header row).",
         "contentUrl": f"{name}.csv", "encodingFormat": "text/csv",
         "sha256": hashlib.sha256(files[f"{name}.csv"]).hexdigest()}
        for name in RESOURCE_ORDER
    ]
    doc["recordSet"] = [_record_set(name) for name in RESOURCE_ORDER]
    return doc


def _record_set(name: str) -> dict:
    res = resource(name)
    refs = {fk.fields[0]: f"{fk.resource}/{fk.reference_fields[0]}" for fk in res.foreign_keys if len(fk.fields) == 1}
    fields = []
    for f in res.fields:
        field = {"@type": "cr:Field", "@id": f"{name}/{f.name}", "name": f.name, "description": f.description,
                 "dataType": DATA_TYPES[f.type],
                 "source": {"fileObject": {"@id": f"{name}.csv"}, "extract": {"column": f.name}}}
        if f.name in refs:
            field["references"] = {"field": {"@id": refs[f.name]}}
        fields.append(field)
    key = [{"@id": f"{name}/{k}"} for k in res.primary_key]
    return {"@type": "cr:RecordSet", "@id": name, "name": name, "description": res.description,
            "key": key[0] if len(key) == 1 else key, "field": fields}
