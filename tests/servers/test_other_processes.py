"""One truth for every process of the embedded default: a change committed by
another process than the server's — `manage.py shell`, `manage.py load_demo`,
`manage.py restore` — is on the running server's very next request.

The content version lives in the file cache that every process on the machine
shares (clinic/settings.py), so the bump made on commit in the other process is the
one the server reads. Each test warms the server's cache first (the same URL read
twice, the same ETag: the shared entry and the process's own copy), makes the
change in a process of its own, and reads once, with no wait. With an in-process
cache the server would keep answering what it had cached.
"""

from __future__ import annotations

import json

from tests.servers.conftest import Embedded, Server

ITEM_LIST = "/api/v1/faq-items/"


def read(server: Server, path: str, **params: str) -> tuple[dict, str]:
    response = server.get(path, params=params)
    assert response.status_code == 200, response.text
    return json.loads(response.content), response.headers["ETag"]


def warm(server: Server, path: str, **params: str) -> dict:
    body, etag = read(server, path, **params)
    assert read(server, path, **params) == (body, etag)
    return body


def first_question(site: Embedded) -> tuple[int, str]:
    body = warm(site.server, ITEM_LIST)
    return body["count"], body["results"][0]["question"]


EDIT = (
    "from faq.models import FAQItem\n"
    "item = FAQItem.objects.order_by('position', 'pk').first()\n"
    "item.question_en = 'Edited in another process?'\n"
    "item.save()\n"
)
# The edit, published: what reaches readers.
PUBLISH = EDIT + "item.publish('en')\n"


def test_an_edit_saved_in_manage_py_shell_is_public_only_once_published(embedded):
    count, question = first_question(embedded)
    assert question != "Edited in another process?"

    embedded.manage("shell", "-c", EDIT)
    body, _etag = read(embedded.server, ITEM_LIST)
    assert body["results"][0]["question"] == question

    embedded.manage("shell", "-c", PUBLISH)
    body, _etag = read(embedded.server, ITEM_LIST)
    assert body["results"][0]["question"] == "Edited in another process?"
    assert body["count"] == count


def test_load_demo_is_on_the_next_request(embedded_empty):
    assert warm(embedded_empty.server, ITEM_LIST)["count"] == 0

    embedded_empty.manage("load_demo")

    body, _etag = read(embedded_empty.server, ITEM_LIST)
    assert body["count"] > 0


def test_a_restore_is_on_the_next_request(embedded):
    backup = embedded.folder / "before.sqlite3"
    embedded.manage("backup", "--output", str(backup))
    _count, question = first_question(embedded)
    embedded.manage("shell", "-c", PUBLISH)
    assert warm(embedded.server, ITEM_LIST)["results"][0]["question"] == (
        "Edited in another process?"
    )

    embedded.manage("restore", str(backup), "--no-input")

    body, _etag = read(embedded.server, ITEM_LIST)
    assert body["results"][0]["question"] == question
