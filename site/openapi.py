"""The API's OpenAPI 3.1 document, made from its operations (site/handlers/api.py): each
operation's path, its query model's fields as parameters, its answer model's JSON
Schema (pydantic's: the models that write the answers) and its errors; its summary and
description are the handler's docstring. Nothing is written by hand twice, so the
document cannot drift from what is served; the suite checks the served answers against
it (tests/site/test_api_schema.py, schemathesis)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence

from pydantic.json_schema import models_json_schema

from rabkor.site.api import MAX_ID, Error

REF = "#/components/schemas/{model}"
PATH_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")


def openapi_document(operations: Sequence, *, prefix: str, languages: Sequence[str],
                     server: str, title: str) -> dict:
    """The document for `operations` (`Operation`s) served under `prefix`, with the
    site's `languages` as the values `lang` takes."""
    answers = [op.answer for op in operations if op.answer is not None]
    refs, top = models_json_schema([(m, "serialization") for m in (*answers, Error)],
                                   ref_template=REF)
    paths: dict[str, dict] = {}
    for op in operations:
        doc = inspect.getdoc(op.handler) or ""
        summary, _, description = doc.partition("\n\n")
        schema = refs[(op.answer, "serialization")] if op.answer else {"type": "object"}
        responses = {"200": {"description": "OK",
                             "content": {"application/json": {"schema": schema}}}}
        for status in op.errors:
            responses[str(status)] = {
                "description": {400: "A parameter cannot be used; `error` says which and why.",
                                404: "No such published item, source or topic."}[status],
                "content": {"application/json": {"schema": refs[(Error, "serialization")]}}}
        operation = {"operationId": op.name, "summary": " ".join(summary.split()),
                     "parameters": [*_path_parameters(op.path),
                                    *_query_parameters(op.query, languages)],
                     "responses": responses}
        if description:
            operation["description"] = " ".join(description.split())
        paths[prefix + PATH_PARAM.sub(r"{\1}", op.path)] = {"get": operation}
    return {"openapi": "3.1.0", "info": {"title": title, "version": "1"},
            "servers": [{"url": server}], "paths": paths,
            "components": {"schemas": top.get("$defs", {})}}


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
