"""The API's OpenAPI 3.1 document, made from its operations (site/handlers/api.py): each
operation's path and method, its query model's fields as parameters, its body model's
JSON Schema, its answer model's (pydantic's: the models that write the answers), its
errors and whether it takes a Bearer token; its summary and description are the
handler's docstring. Nothing is written by hand twice, so the
document cannot drift from what is served; the suite checks the served answers against
it (tests/site/test_api_schema.py, schemathesis)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence

from pydantic.json_schema import models_json_schema

from rabkor.site.api import MAX_ID

REF = "#/components/schemas/{model}"
PATH_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")
BEARER = "bearer"
ERRORS = {
    400: "A parameter or field cannot be used; `error` says which and why.",
    401: "No token, or one that was renewed or revoked.",
    403: "The account is suspended, or it is new and the link's site unknown here.",
    404: "No such published item, source or topic.",
    409: "The same link was sent in the last 30 days; `first` is its item once published.",
    413: "The body is larger than a submission can be.",
    429: "Too many links in a short time; Retry-After says how many seconds to wait.",
}
HEADERS = {  # what an error says in its headers besides its body
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait.",
                          "schema": {"type": "integer", "minimum": 1}}},
}


def openapi_document(operations: Sequence, *, prefix: str, languages: Sequence[str],
                     server: str, title: str) -> dict:
    """The document for `operations` (`Operation`s) served under `prefix`, with the
    site's `languages` as the values `lang` takes."""
    models = [(m, "serialization") for op in operations
              for m in (op.answer, op.error) if m is not None]
    models += [(op.body, "validation") for op in operations if op.body is not None]
    refs, top = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    schemas = top.get("$defs", {})
    paths: dict[str, dict] = {}
    for op in operations:
        doc = inspect.getdoc(op.handler) or ""
        summary, _, description = doc.partition("\n\n")
        schema = refs[(op.answer, "serialization")] if op.answer else {"type": "object"}
        responses = {str(op.status): {"description": "OK" if op.status == 200 else
                                      "Created", "content": {"application/json": {
                                          "schema": schema}}}}
        for status in op.errors:
            responses[str(status)] = {
                "description": ERRORS[status], **({"headers": HEADERS[status]}
                                                  if status in HEADERS else {}),
                "content": {"application/json": {"schema": refs[(op.error,
                                                                 "serialization")]}}}
        operation = {"operationId": op.name, "summary": " ".join(summary.split()),
                     "parameters": [*_path_parameters(op.path),
                                    *_query_parameters(op.query, languages)],
                     "responses": responses}
        if description:
            operation["description"] = " ".join(description.split())
        if op.body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": refs[(op.body, "validation")]}}}
            _site_languages(schemas[operation["requestBody"]["content"]["application/json"][
                "schema"]["$ref"].rsplit("/", 1)[1]], languages)
        if op.bearer:
            operation["security"] = [{BEARER: []}]
        paths.setdefault(prefix + PATH_PARAM.sub(r"{\1}", op.path), {})[
            op.method.lower()] = operation
    components: dict[str, dict] = {"schemas": schemas}
    if any(op.bearer for op in operations):
        components["securitySchemes"] = {BEARER: {
            "type": "http", "scheme": "bearer",
            "description": "A correspondent's token, from their submissions page."}}
    return {"openapi": "3.1.0", "info": {"title": title, "version": "1"},
            "servers": [{"url": server}], "paths": paths, "components": components}


def _site_languages(schema: dict, languages: Sequence[str]) -> None:
    """A body's `language` takes one of the site's languages, or empty (not said)."""
    field = schema["properties"].get("language")
    if field is not None:
        field["anyOf"] = [{"enum": [*languages, ""]}, {"type": "null"}]


def _path_parameters(path: str) -> list[dict]:
    return [{"name": name, "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}
             if convertor == "int" else {"type": "string"}}
            for name, convertor in PATH_PARAM.findall(path)]


def _query_parameters(model, languages: Sequence[str]) -> list[dict]:
    """A query model's fields as query parameters: absent or a value (the null of an
    optional field dropped); `lang` one of the site's languages."""
    if model is None:
        return []
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", ()))
    found = []
    for name, field in schema["properties"].items():
        field = dict(field)
        description = field.pop("description", None)
        field.pop("title", None)
        options = [o for o in field.pop("anyOf", ()) if o != {"type": "null"}]
        if len(options) == 1:
            field.update(options[0])
        elif options:
            field["anyOf"] = options
        if field.get("default", "") is None:
            del field["default"]
        if name == "lang":
            field["enum"] = list(languages)
        parameter = {"name": name, "in": "query", "required": name in required,
                     "schema": field}
        if description:
            parameter["description"] = description
        found.append(parameter)
    return found
