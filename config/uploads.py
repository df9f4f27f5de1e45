"""Uploads refused at the request edge, before a view reads them.

A request whose Content-Length is over the largest upload limit is answered 413 without its body
being read; a body sent without a length (chunked) is counted while it streams by an upload
handler, which stops at the limit instead of reading on. The per-field limits and the content
checks are the doors' (integration.uploads, through each context's rules).
"""

from django.core.files.uploadhandler import FileUploadHandler
from django.http import JsonResponse
from django.shortcuts import render
from rest_framework import exceptions

from config.api import API_PREFIX, PROBLEM_MEDIA_TYPE, problem
from integration import uploads

BODY_METHODS = {"POST", "PUT", "PATCH"}


class UploadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "upload_too_large"


class SizeLimitUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: counts the bytes of every file of the request as they arrive."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > uploads.largest_limit_bytes():
            raise UploadTooLarge(uploads.body_too_large_message())
        return raw_data

    def file_complete(self, file_size):
        return None


def _too_large(request):
    detail = uploads.body_too_large_message()
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            problem(413, detail=detail, code="upload_too_large"), status=413, content_type=PROBLEM_MEDIA_TYPE
        )
    return render(request, "413.html", {"detail": detail}, status=413)


class UploadSizeMiddleware:
    """Refuses an oversized body before anything reads it, by its Content-Length; a multipart POST
    is parsed here (as CSRF checking would anyway), so that the upload handler's stop is answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in BODY_METHODS:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > uploads.largest_limit_bytes():
                return _too_large(request)
            if request.method == "POST" and request.content_type == "multipart/form-data":
                try:
                    request.FILES  # noqa: B018 - parse now, so that the handler's stop is ours to answer
                except UploadTooLarge:
                    return _too_large(request)
        return self.get_response(request)
