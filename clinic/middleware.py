"""Project middleware."""

from django.middleware.locale import LocaleMiddleware

from clinic.api.errors import is_api


class AdminLocaleMiddleware(LocaleMiddleware):
    """The admin's language follows the editor's browser; the API's never does.

    Django's LocaleMiddleware would add ``Vary: Accept-Language`` and a
    ``Content-Language`` of the UI language to API responses, splitting CDN caches
    and contradicting ``?locale=`` (DESIGN §2).
    """

    def process_request(self, request):
        if not is_api(request):
            super().process_request(request)

    def process_response(self, request, response):
        if is_api(request):
            return response
        return super().process_response(request, response)
