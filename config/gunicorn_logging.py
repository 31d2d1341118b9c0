"""gunicorn's logger with tokens taken out of the access log (`logger_class` in
config/gunicorn.conf.py). An operator found `GET /auth/password/reset/<token>/` in
the access log while the link was still valid for an hour."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]


class TokenRedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        from core.security_log import path_for_log  # Django is set up by the time of a request

        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        path = atoms.get("U", "")
        if path:
            clean = path_for_log(path)
            if clean != path:
                atoms["U"] = clean
                atoms["r"] = atoms["r"].replace(path, clean)
        return atoms
