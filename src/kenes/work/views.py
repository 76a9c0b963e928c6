"""The "my work" page: what waits for the signed-in person (the home page shows the same panel)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kenes.people.directory import may_read_directory
from kenes.work.queries import work_for


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    context = {"work": work_for(request.user), "directory": may_read_directory(request.user)}
    return render(request, "work/my_work.html", context)
