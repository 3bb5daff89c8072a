"""Reference endpoints for `make bench`, served only when
VAXFLEET_BENCH_ENDPOINTS is on (never in production).

F0: no query, no template, the full middleware stack: the floor of any page.
F1: TechEmpower's "fortunes": one query of 12 rows, one added in memory,
sorted, rendered by a small template with escaping.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from benchmarks.models import Fortune


@require_safe
def f0(request):
    return HttpResponse(b"Hello, World!", content_type="text/plain")


@require_safe
def f1(request):
    fortunes = list(Fortune.objects.all())
    fortunes.append(Fortune(id=0, message="Additional fortune added at request time."))
    fortunes.sort(key=lambda fortune: fortune.message)
    return render(request, "benchmarks/fortunes.html", {"fortunes": fortunes})
