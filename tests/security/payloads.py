"""A corpus of cross-site scripting payloads and a checker for executable HTML,
shared by the security tests.

``RICH_TEXT`` goes into rich-text fields (HTML that must come out harmless),
``PLAIN_TEXT`` into plain-text fields (text that must come out escaped).
``executable_constructs()`` names everything in a piece of HTML that a browser could
run or that could restyle the page: what no public response may contain.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

RICH_TEXT: dict[str, str] = {
    # Script elements.
    "script": "<p>Hi<script>alert(1)</script></p>",
    "script uppercase": "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "script split by a null": "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "script in comment trick": "<!--<script>-->alert(1)<!--</script>-->",
    "cdata": "<![CDATA[<script>alert(1)</script>]]>",
    "unclosed script": "<script>alert(1)",
    # Event handlers.
    "onclick": '<p onclick="steal()">Hi</p>',
    "img onerror": '<img src=x onerror="alert(1)">',
    "unquoted handler": "<h2 onmouseover=alert(1)>Heading</h2>",
    "handler on a link": '<a href="https://drtak.example/" onfocus=alert(1) '
    "autofocus>link</a>",
    "body onload": "<body onload=alert(1)>",
    "details ontoggle": "<details open ontoggle=alert(1)>",
    "slash-separated handler": "<p/onclick=alert(1)>x</p>",
    # Dangerous URLs.
    "javascript href": '<a href="javascript:alert(1)">x</a>',
    "mixed case javascript": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "tab entity in javascript": '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "named tab entity": '<a href="jav&Tab;ascript:alert(1)">x</a>',
    "raw tab in javascript": '<a href="jav\tascript:alert(1)">x</a>',
    "newline in javascript": '<a href="java\nscript:alert(1)">x</a>',
    "newline entity in javascript": '<a href="java&#10;script:alert(1)">x</a>',
    "decimal entity javascript": '<a href="&#106;avascript:alert(1)">x</a>',
    "zero-padded entities": '<a href="&#0000106&#0000097vascript:alert(1)">x</a>',
    "hex entity javascript": '<a href="&#x6A;&#x61;vascript:alert(1)">x</a>',
    "colon entity": '<a href="javascript&colon;alert(1)">x</a>',
    "leading space and control": '<a href=" \x01javascript:alert(1)">x</a>',
    "unquoted javascript href": "<a href=javascript:alert(1)>x</a>",
    "data url": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">'
    "x</a>",
    "data url with entity": '<a href="d&#97;ta:text/html,<script>alert(1)</script>">'
    "x</a>",
    "vbscript": '<a href="vbscript:msgbox(1)">x</a>',
    "img data src": '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    "protocol-relative link": '<a href="//evil.example/">x</a>',
    "base href": '<base href="javascript:/">',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "link stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "form action": '<form action="javascript:alert(1)"><input type=submit></form>',
    "button formaction": '<button formaction="javascript:alert(1)">Go</button>',
    # Mutation XSS: markup that changes meaning when parsed again.
    "svg script": "<svg><script>alert(1)</script></svg>",
    "svg onload": "<svg onload=alert(1)>",
    "svg style img": "<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
    "svg animate href": '<svg><a><animate attributeName=href values="javascript:'
    'alert(1)"/><text y=20>x</text></a></svg>',
    "math mglyph style": "<math><mtext><table><mglyph><style>"
    "<img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "math href": '<math href="javascript:alert(1)">x</math>',
    "noscript title": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "template": "<template><script>alert(1)</script></template>",
    "textarea breakout": "<textarea></textarea><script>alert(1)</script></textarea>",
    "title breakout": "<title><img src=x onerror=alert(1)></title>",
    "xmp breakout": "<xmp><img src=x onerror=alert(1)></xmp>",
    "comment breakout": "<!--><img src=x onerror=alert(1)>-->",
    "attribute breakout": '<a title="</a><img src=x onerror=alert(1)>" href="https://x.example/">x</a>',
    # Embedding.
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "iframe srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object": '<object data="https://evil.example/x.swf"></object>',
    "embed": '<embed src="https://evil.example/x.swf">',
    "frameset": '<frameset><frame src="javascript:alert(1)"></frameset>',
    # Styles.
    "style attribute": '<p style="position:fixed;top:0">Hi</p>',
    "style url": "<p style=\"background:url('javascript:alert(1)')\">Hi</p>",
    "style expression": '<p style="width:expression(alert(1))">Hi</p>',
    "style element": "<style>p{display:none}</style>",
    "style import": "<style>@import url(https://evil.example/x.css);</style>",
    "style background url": "<style>body{background:url(javascript:alert(1))}</style>",
    # Attributes that are not allowed where they are.
    "ol start": '<ol start="1 onmouseover=alert(1)"><li>One</li></ol>',
    "link target": '<a href="https://x.example/" target="_blank" rel="opener">x</a>',
}

# Rich text whose markup is safe and must be stored and served exactly as written.
SAFE_RICH_TEXT: dict[str, str] = {
    "emoji": "<p>📍 Bottom line: 💬 ✅ 📲 🏥 👩‍⚕️</p>",
    "lists": '<ul><li>One</li></ul><ol start="3"><li>Three</li></ol>',
    "headings": "<h2>Causes</h2><h3>Muscular type</h3><h4>Habit</h4>",
    "emphasis": "<p><strong>a</strong> <em>b</em> <u>c</u> <s>d</s></p>",
    "break and rule": "<p>One<br>Two</p><hr>",
    "blockquote": "<blockquote><p>To make people smile.</p></blockquote>",
    "escaped markup as text": "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp;</p>",
    "link": '<p><a href="https://drtak.example/#chat" title="Chat" '
    'rel="noopener noreferrer nofollow">Chat</a></p>',
}

PLAIN_TEXT: dict[str, str] = {
    "script": "<script>alert(1)</script>",
    "img onerror": '<img src=x onerror="alert(1)">',
    "attribute breakout": '"><script>alert(1)</script>',
    "single-quote breakout": "'><svg onload=alert(1)>",
    "iframe": '<iframe src="javascript:alert(1)"></iframe>',
    "style": "<style>*{display:none}</style>",
}

# Tags that must never reach a page from rich text, whatever their attributes.
FORBIDDEN_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
    "form", "input", "button", "textarea", "select", "svg", "math", "base", "meta",
    "link", "noscript", "template", "img", "xmp", "title",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "data", "xlink:href", "srcdoc", "poster",
    "background", "srcset", "values", "to", "from",
}  # fmt: skip
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
# What browsers strip from a URL before reading its scheme: every control and space
# character anywhere (tabs and newlines inside ``jav ascript:`` included).
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f-\x9f]+")


class _Finder(HTMLParser):
    def __init__(self):
        # Entities in attribute values are decoded by HTMLParser, as by a browser.
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            elif name == "style":
                self.found.append(f"<{tag} style>")
            elif name in URL_ATTRIBUTES and value is not None:
                url = _IGNORED_IN_URLS.sub("", value).lower()
                if url.startswith(BAD_SCHEMES):
                    self.found.append(f"<{tag} {name}={value!r}>")


def executable_constructs(html: str) -> list[str]:
    """Everything in ``html`` that could run script or restyle the page."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.found


# The keys under which the API serves rich text (HTML). Other strings are plain text
# (titles, excerpts, JSON-LD), which a frontend must escape: an excerpt of
# ``<p>&lt;b&gt;</p>`` is the text ``<b>``, by design.
HTML_KEYS = {"intro", "conclusion", "description", "body", "answer"}


def html_in(data) -> list[str]:
    """Every rich-text (HTML) string of a decoded API response."""
    if isinstance(data, list):
        return [s for value in data for s in html_in(value)]
    if not isinstance(data, dict):
        return []
    found = []
    for key, value in data.items():
        if key in HTML_KEYS and isinstance(value, str):
            found.append(value)
        else:
            found += html_in(value)
    return found


def executable_in_json(data) -> list[str]:
    """Executable constructs in the rich text of a decoded API response."""
    return [found for s in html_in(data) for found in executable_constructs(s)]
