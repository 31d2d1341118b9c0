"""What each part of the org overview's template costs, rendered from a real request's context.

`bench.page_cpu` times whole requests; this splits the largest part of one, the template.
It signs an owner in (org of 25 members, a throwaway test database as page_cpu makes),
requests the org dashboard once through the test client to capture the view's context,
then renders `tenants/dashboard.html` from that context again and again:

- the whole template, and the layout alone (the `tenant_content` block emptied);
- the template without each of its cards (`<section … data-testid=…>`): what that card costs;
- each include of the layout on its own (minus an empty template's cost, which is the
  context processors'), e.g. the header with both menus, the banners, the footer.

CPU ms per render, fastest of three rounds of N.

    python -m bench.template_parts [N]     # default 300
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

LAYOUT_INCLUDES = [
    "elements/header.html",
    "elements/workspace_links.html",
    "elements/account_links.html",
    "elements/tenant_switcher.html",
    "elements/user_menu.html",
    "elements/mobile_menu.html",
    "support/_banner.html",
    "billing/_past_due_banner.html",
    "accounts/verify_banner.html",
    "tenants/_two_factor_banner.html",
    "elements/messages.html",
    "elements/footer.html",
    "elements/toasts.html",
    "elements/confirm_dialog.html",
]


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 300
    from bench import page_cpu

    page_cpu.collect_static()
    connection = page_cpu._setup("config.settings")
    try:
        from django.template import engines
        from django.test import Client

        import tenants.views.dashboard as dashboard_views

        owner, org = page_cpu.org_with_members()
        owner.email_verified_at = owner.date_joined  # no verification banner, as in make bench
        owner.save(update_fields=["email_verified_at"])

        captured: dict[str, Any] = {}
        render = dashboard_views.render

        def capture(request: Any, template_name: str, context: Any = None, **kw: Any) -> Any:
            captured.update(request=request, name=template_name, context=context)
            return render(request, template_name, context, **kw)

        dashboard_views.render = capture  # type: ignore[assignment]
        client = Client()
        client.force_login(owner)
        if client.get(f"/t/{org.slug}/", HTTP_HOST="127.0.0.1").status_code != 200:
            raise SystemExit("the org dashboard did not answer 200")
        dashboard_views.render = render
        request, name, context = captured["request"], captured["name"], captured["context"]
        engine = engines["django"]

        def cpu_ms(template: Any) -> float:
            template.render(context, request)
            best = float("inf")
            for _ in range(3):
                start = time.process_time()
                for _ in range(n):
                    template.render(context, request)
                best = min(best, time.process_time() - start)
            return best / n * 1000

        source = (Path("templates") / name).read_text()
        whole = cpu_ms(engine.from_string(source))
        print(f"{name}, CPU ms per render (fastest of 3 x {n}):")
        print(f"  whole template                      {whole:7.3f}")
        opening = "{% block tenant_content %}"
        start, end = source.index(opening) + len(opening), source.rindex("{% endblock %}")
        layout = cpu_ms(engine.from_string(source[:start] + source[end:]))
        print(f"  layout alone (tenant_content empty) {layout:7.3f}")
        for card in re.finditer(r'<section class="card[^"]*"[^>]*data-testid="([^"]+)"', source):
            close = source.index("</section>", card.start()) + len("</section>")
            without = cpu_ms(engine.from_string(source[: card.start()] + source[close:]))
            print(f"  card {card.group(1):30} {whole - without:7.3f}")
        empty = cpu_ms(engine.from_string(""))
        print(f"  (an empty template, i.e. the context processors: {empty:.3f}, subtracted below)")
        for include in LAYOUT_INCLUDES:
            alone = cpu_ms(engine.get_template(include)) - empty
            print(f"  {include:35} {alone:7.3f}")
        return 0
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
