"""The learner wallet: links by e-mail, only one's own credentials, downloads, share links and the verifier."""

from __future__ import annotations

import email
import html
import re
import socket
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from microcred.asgi import create_app
from microcred.bootstrap import Register, build
from microcred.domain import Credential
from microcred.services import enrolments, issuance, wallet
from microcred.testing import mail_text, served_in_thread
from tests.web.conftest import PEPPER, csrf_of

# slow (seconds a test: credentials issued, a demo loaded, a report rendered or a process started):
# make test runs it, make test-fast leaves it out
pytestmark = pytest.mark.slow

ANN, BOB = "ann@example.org", "bob@example.org"


@dataclass(frozen=True)
class Holders:
    ann: Credential
    bob: Credential


def _give_credential(demo: Register, provider: str, edition: str, seat: int, address: str) -> Credential:
    """Record the learner's e-mail with the provider (as its student system would) and issue the credential."""
    enrolment = enrolments.get_enrolment(provider, f"{edition}-E{seat:03d}", demo.uow)
    enrolments.save_enrolment(enrolment, learner_id=f"{edition}-{seat}", email=address, pepper=PEPPER, uow=demo.uow)
    return issuance.issue_for_enrolment(
        provider, enrolment.reference, uow=demo.uow, keys=demo.key_store, settings=demo.settings, clock=demo.clock
    )


@pytest.fixture
def holders(demo: Register) -> Holders:
    return Holders(
        ann=_give_credential(demo, "ugent", "MC-DISINFO-2024", 0, ANN),
        bob=_give_credential(demo, "vub", "MC-DSS-2024", 0, BOB),
    )


def _outbox(demo: Register) -> list[Path]:
    folder = Path(demo.settings.outbox_dir)
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def _ask_for_link(client: TestClient, address: str) -> str:
    token = csrf_of(client.get("/wallet").text)
    answer = client.post("/wallet/link", data={"csrf_token": token, "email": address})
    assert answer.status_code == 200
    assert answer.url.path == "/wallet"  # redirect-after-post: going back never asks for a link again
    return answer.text


def _link_in(message: Path) -> str:
    body = mail_text(message.read_bytes())
    found = re.search(r"https?://\S+/wallet/open\?access=\S+", body)
    assert found, body
    parts = urlsplit(found.group(0))
    return f"{parts.path}?{parts.query}"


def _open_link(client: TestClient, link: str) -> httpx.Response:
    """Follow an e-mailed link: its landing page, then its button (which opens the link, once)."""
    landing = client.get(link)
    assert landing.status_code == 200, landing.text
    access = re.search(r'name="access" value="([^"]+)"', landing.text)
    assert access
    return client.post("/wallet/open", data={"csrf_token": csrf_of(landing.text), "access": access.group(1)})


def _open_wallet(client: TestClient, demo: Register, address: str) -> str:
    _ask_for_link(client, address)
    opened = _open_link(client, _link_in(_outbox(demo)[-1]))
    assert opened.status_code == 200
    assert opened.url.path == "/wallet"
    return opened.text


def test_asking_for_a_link_mails_it_and_an_unknown_address_gets_the_same_answer(
    demo: Register, client: TestClient, holders: Holders
) -> None:
    known = _ask_for_link(client, ANN)
    assert len(_outbox(demo)) == 1
    message = email.message_from_bytes(_outbox(demo)[0].read_bytes())
    assert message["To"] == ANN
    unknown = _ask_for_link(client, "nobody@example.org")
    assert len(_outbox(demo)) == 1, "no mail goes to an address no learner has"
    assert unknown.replace("nobody@example.org", ANN) == known.replace(csrf_of(known), csrf_of(unknown))
    assert "onderweg" in known


def test_the_mail_is_in_the_language_the_page_was_asked_in(
    demo: Register, client: TestClient, holders: Holders
) -> None:
    client.cookies.set("lang", "en")  # the language switch's cookie, as a visitor who chose English has
    _ask_for_link(client, ANN)
    message = email.message_from_bytes(_outbox(demo)[0].read_bytes())
    assert message["Subject"] == "Your micro-credentials"
    assert mail_text(_outbox(demo)[0].read_bytes()).startswith("Open this link within 30 minutes")


def test_a_forged_link_opens_nothing(client: TestClient, holders: Holders) -> None:
    page = client.get("/wallet/open?access=forged.token.here")
    assert page.status_code == 401
    assert "Deze link is niet geldig." in page.text
    assert "MC-DISINFO" not in page.text


def test_the_wallet_lists_only_the_learners_own_credentials(
    demo: Register, client: TestClient, holders: Holders
) -> None:
    page = _open_wallet(client, demo, ANN)
    assert '<h2 id="credential-1">Desinformatie herkennen</h2>' in page
    assert "Universiteit Gent" in page
    assert holders.ann.uuid in page
    assert holders.bob.uuid not in page
    assert page.count('class="card wallet-credential"') == 1
    assert "geldig" in page


def test_another_learners_downloads_are_not_found(demo: Register, client: TestClient, holders: Holders) -> None:
    _open_wallet(client, demo, ANN)
    for suffix in (".json", ".pdf", ".elm.json"):
        assert client.get(f"/wallet/credentials/{holders.bob.uuid[9:]}{suffix}").status_code == 404
    assert client.get("/wallet/credentials/not-a-uuid.json").status_code == 404


def test_downloads_need_an_opened_wallet(client: TestClient, holders: Holders) -> None:
    answer = client.get(f"/wallet/credentials/{holders.ann.uuid[9:]}.json", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/wallet"


def test_the_json_download_is_the_signed_document_byte_for_byte(
    demo: Register, client: TestClient, holders: Holders
) -> None:
    _open_wallet(client, demo, ANN)
    answer = client.get(f"/wallet/credentials/{holders.ann.uuid[9:]}.json")
    assert answer.status_code == 200
    stored = issuance.get_credential(holders.ann.uuid, uow=demo.uow).document_json.encode("utf-8")
    assert answer.content == stored
    assert "attachment" in answer.headers["content-disposition"]


def test_the_pdf_and_elm_downloads_are_what_they_say(demo: Register, client: TestClient, holders: Holders) -> None:
    _open_wallet(client, demo, ANN)
    pdf = client.get(f"/wallet/credentials/{holders.ann.uuid[9:]}.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    elm = client.get(f"/wallet/credentials/{holders.ann.uuid[9:]}.elm.json")
    assert elm.status_code == 200
    assert "http://data.europa.eu/snb/model/context/edc-ap" in elm.json()["@context"]


def _share(client: TestClient, credential: Credential, days: str = "30") -> str:
    token = csrf_of(client.get("/wallet").text)
    page = client.post(f"/wallet/credentials/{credential.uuid[9:]}/share", data={"csrf_token": token, "days": days})
    assert page.status_code == 200, page.text
    found = re.search(r'id="new-share-link"[^>]*>[^<]*/s/([^<]+)<', page.text)
    assert found
    assert "<svg" in page.text
    return found.group(1)


def test_a_share_link_opens_the_verification_of_that_credential(
    demo: Register, client: TestClient, holders: Holders
) -> None:
    _open_wallet(client, demo, ANN)
    token = _share(client, holders.ann)
    with TestClient(client.app) as stranger:
        shown = stranger.get(f"/s/{token}")
        assert shown.status_code == 200
        assert "Deze credential is echt en geldig." in shown.text
        assert "Nepnieuws herkennen en weerleggen" in shown.text
        via_verifier = stranger.get("/verify", params={"share": f"http://127.0.0.1:8000/s/{token}"})
        assert via_verifier.url.path == f"/s/{token}"
        assert "Deze credential is echt en geldig." in via_verifier.text


def test_the_wallet_offers_linkedin_add_to_profile_filled_in_for_a_valid_credential(
    demo: Register, client: TestClient, holders: Holders
) -> None:
    page = _open_wallet(client, demo, ANN)
    found = re.search(r'<a class="button secondary linkedin" href="([^"]+)"', page)
    assert found, "no LinkedIn link next to the downloads"
    link = urlsplit(html.unescape(found.group(1)))
    assert f"{link.scheme}://{link.netloc}{link.path}" == "https://www.linkedin.com/profile/add"
    fields = dict(parse_qsl(link.query))
    issued = holders.ann.issued_at
    assert fields == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Desinformatie herkennen",
        "organizationName": "Universiteit Gent",
        "issueYear": str(issued.year),
        "issueMonth": str(issued.month),
        "certUrl": f"http://127.0.0.1:8000/verify?credential="
        f"{quote('http://127.0.0.1:8000/credentials/' + holders.ann.uuid[9:], safe='')}",
        "certId": holders.ann.uuid[9:],
    }
    assert client.get(urlsplit(fields["certUrl"]).path + "?" + urlsplit(fields["certUrl"]).query).status_code == 200
    client.cookies.set("lang", "en")
    english = client.get("/wallet").text
    assert "name=Recognising+disinformation" in html.unescape(english)
    assert "Add to LinkedIn" in english


def test_the_share_page_previews_cleanly_with_open_graph_and_twitter_tags(
    demo: Register, client: TestClient, holders: Holders
) -> None:
    _open_wallet(client, demo, ANN)
    token = _share(client, holders.ann)
    with TestClient(client.app) as stranger:
        shown = stranger.get(f"/s/{token}").text
    head = shown.split("</head>", 1)[0]
    tags = dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):[a-z_]+)" content="([^"]*)"', head))
    assert tags["og:title"] == tags["twitter:title"] == "Desinformatie herkennen"
    assert tags["og:description"] == tags["twitter:description"]
    assert "Universiteit Gent" in tags["og:description"]
    assert tags["og:url"].endswith(f"/s/{token}")
    assert tags["twitter:card"] == "summary"
    assert tags["og:type"] == "website"
    assert '<meta name="robots" content="noindex, nofollow">' in head
    # Nothing about the learner: no address, no pseudonym, no credential subject id in the preview.
    with demo.uow() as work:
        pseudonym = work.credentials.get(holders.ann.uuid).learner
    assert ANN not in head
    assert pseudonym not in head
    assert "did:" not in head
    with TestClient(client.app) as stranger:
        verify_page = stranger.get("/verify").text.split("</head>", 1)[0]
    assert "og:title" not in verify_page  # only a share link has a preview


def test_a_revoked_share_link_says_so(demo: Register, client: TestClient, holders: Holders) -> None:
    _open_wallet(client, demo, ANN)
    token = _share(client, holders.ann)
    csrf = csrf_of(client.get("/wallet").text)
    revoked = client.post(f"/wallet/share/{token}/revoke", data={"csrf_token": csrf})
    assert "De deellink is ingetrokken" in revoked.text
    shown = client.get(f"/s/{token}")
    assert shown.status_code == 410
    assert "Deze deellink is ingetrokken" in shown.text
    assert "Nepnieuws" not in shown.text


def test_an_expired_share_link_says_so(demo: Register, holders: Holders, client: TestClient) -> None:
    secret = demo.settings.session_secret.get_secret_value()
    month_ago = demo.clock() - timedelta(days=31)
    link = wallet.create_share_link(
        holders.ann.uuid,
        [wallet.grant(holders.ann.learner, holders.ann.provider)],
        uow=demo.uow,
        clock=lambda: month_ago,
        secret=secret,
        days=30,
    )
    shown = client.get(f"/s/{link.token}")
    assert shown.status_code == 410
    assert "Deze deellink is verlopen" in shown.text


def test_a_forged_share_link_is_not_found(client: TestClient, holders: Holders) -> None:
    shown = client.get("/s/made-up-token")
    assert shown.status_code == 404
    assert "Deze deellink bestaat niet" in shown.text


def test_a_learner_cannot_share_or_revoke_someone_elses_credential(
    demo: Register, client: TestClient, holders: Holders
) -> None:
    secret = demo.settings.session_secret.get_secret_value()
    bobs = wallet.create_share_link(
        holders.bob.uuid,
        [wallet.grant(holders.bob.learner, holders.bob.provider)],
        uow=demo.uow,
        clock=demo.clock,
        secret=secret,
    )
    _open_wallet(client, demo, ANN)
    csrf = csrf_of(client.get("/wallet").text)
    share = client.post(f"/wallet/credentials/{holders.bob.uuid[9:]}/share", data={"csrf_token": csrf, "days": "30"})
    assert share.status_code == 404
    revoke = client.post(f"/wallet/share/{bobs.token}/revoke", data={"csrf_token": csrf})
    assert revoke.status_code == 404
    assert client.get(f"/s/{bobs.token}").status_code == 200


def test_a_share_link_needs_a_listed_validity(demo: Register, client: TestClient, holders: Holders) -> None:
    _open_wallet(client, demo, ANN)
    csrf = csrf_of(client.get("/wallet").text)
    answer = client.post(f"/wallet/credentials/{holders.ann.uuid[9:]}/share", data={"csrf_token": csrf, "days": "9999"})
    assert answer.status_code == 422


def test_a_revoked_credential_shows_as_revoked_in_the_wallet(
    demo: Register, client: TestClient, holders: Holders
) -> None:
    demo.issuance.revoke(holders.ann.uuid, "fraude")
    page = _open_wallet(client, demo, ANN)
    assert "ingetrokken" in page
    assert "Reden: fraude" in page
    assert "Deellink maken" not in page


def test_signing_out_closes_the_wallet(demo: Register, client: TestClient, holders: Holders) -> None:
    _open_wallet(client, demo, ANN)
    csrf = csrf_of(client.get("/wallet").text)
    client.post("/wallet/logout", data={"csrf_token": csrf})
    assert 'action="/wallet/link"' in client.get("/wallet").text
    assert client.get(f"/wallet/credentials/{holders.ann.uuid[9:]}.json", follow_redirects=False).status_code == 303


def test_credentials_of_learner_finds_them_by_contact_address(demo: Register, holders: Holders) -> None:
    secret = demo.settings.session_secret.get_secret_value()
    found = wallet.credentials_of_learner(" Ann@Example.org ", demo.uow, secret=secret)
    assert [entry.credential.uuid for entry in found] == [holders.ann.uuid]
    assert wallet.credentials_of_learner("nobody@example.org", demo.uow, secret=secret) == []


# --- access links: single-use, revocable, short-lived, answered before anything is looked up (finding 7) ---


def test_a_link_opens_the_wallet_once_and_a_second_open_says_it_was_used(
    demo: Register, client: TestClient, holders: Holders
) -> None:
    _open_wallet(client, demo, ANN)
    link = _link_in(_outbox(demo)[-1])
    with TestClient(client.app) as someone_with_the_mail:
        again = someone_with_the_mail.get(link)
        assert again.status_code == 401
        assert "Deze link is al gebruikt: elke link opent je credentials één keer." in again.text
        assert holders.ann.uuid not in again.text
        assert 'action="/wallet/link"' in again.text  # asking for a new one is right there


def test_the_landing_page_does_not_use_the_link_up(demo: Register, client: TestClient, holders: Holders) -> None:
    """A mail scanner that follows the link (GET) must not spend it: only the learner's button opens it."""
    _ask_for_link(client, ANN)
    link = _link_in(_outbox(demo)[-1])
    with TestClient(client.app) as scanner:
        assert scanner.get(link).status_code == 200
        assert scanner.get(link).status_code == 200
    opened = _open_link(client, link)
    assert opened.url.path == "/wallet"
    assert holders.ann.uuid in opened.text


def test_a_new_link_ends_the_one_asked_for_before(demo: Register, client: TestClient, holders: Holders) -> None:
    _ask_for_link(client, ANN)
    older = _link_in(_outbox(demo)[-1])
    _ask_for_link(client, ANN)
    refused = client.get(older)
    assert refused.status_code == 401
    assert "er is intussen een nieuwere link gestuurd" in refused.text
    assert _open_link(client, _link_in(_outbox(demo)[-1])).url.path == "/wallet"


def test_signing_out_everywhere_ends_the_wallet_on_every_device(
    demo: Register, client: TestClient, holders: Holders
) -> None:
    _open_wallet(client, demo, ANN)
    with TestClient(client.app) as phone:
        _open_wallet(phone, demo, ANN)
        _ask_for_link(phone, ANN)
        unused = _link_in(_outbox(demo)[-1])
        page = client.get("/wallet").text
        assert "Overal afmelden" in page
        ended = client.post("/wallet/end-sessions", data={"csrf_token": csrf_of(page)})
        assert ended.url.path == "/wallet"
        assert "Je bent overal afgemeld" in ended.text
        for device in (client, phone):
            assert 'action="/wallet/link"' in device.get("/wallet").text
            download = device.get(f"/wallet/credentials/{holders.ann.uuid[9:]}.json", follow_redirects=False)
            assert download.status_code == 303
        assert "werkt niet meer" in phone.get(unused).text


def test_the_link_form_counts_per_address_and_per_client(client: TestClient, holders: Holders) -> None:
    csrf = csrf_of(client.get("/wallet").text)

    def ask(address: str) -> httpx.Response:
        return client.post("/wallet/link", data={"csrf_token": csrf, "email": address}, follow_redirects=False)

    assert [ask(ANN).status_code for _ in range(6)] == [303] * 5 + [429]
    refused = ask(ANN)
    assert "Er zijn te veel links gevraagd" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    # The same client asking for many addresses (20 in all, the six above included) is slowed down too.
    assert [ask(f"someone-{n}@example.org").status_code for n in range(13)] == [303] * 13
    assert ask("one-more@example.org").status_code == 429


class StalledMailServer:
    """A TCP server that accepts connections and says nothing for ``seconds``: a mail server that hangs."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            hang_up = threading.Timer(self.seconds, connection.close)
            hang_up.daemon = True
            hang_up.start()

    def close(self) -> None:
        self.listener.close()


def test_known_and_unknown_addresses_are_answered_before_any_mail_is_sent(demo: Register, holders: Holders) -> None:
    """The look-up and the mail run after the answer: a hanging mail server cannot delay it (it did by ~33 ms
    in the audit, enough to tell known from unknown addresses)."""
    stalled = StalledMailServer(seconds=3)
    mailing = build(demo.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": stalled.port}))
    try:
        with served_in_thread(create_app(mailing)) as base_url, httpx.Client(base_url=base_url) as browser:
            times = {}
            for address in (ANN, "nobody@example.org"):
                csrf = csrf_of(browser.get("/wallet").text)
                started = time.perf_counter()
                answer = browser.post("/wallet/link", data={"csrf_token": csrf, "email": address})
                times[address] = time.perf_counter() - started
                assert answer.status_code == 303
            assert max(times.values()) < 1.5, times
            deadline = time.monotonic() + 5
            while stalled.connections == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert stalled.connections == 1  # the known address's mail was attempted, after the answer
    finally:
        stalled.close()
        mailing.close()


def test_a_learner_puts_a_credential_in_their_wallet_app(demo: Register, holders: Holders, client: TestClient) -> None:
    _ask_for_link(client, ANN)
    _open_link(client, _link_in(_outbox(demo)[-1]))
    page = client.get("/wallet").text
    assert "Zet in mijn wallet-app" in page
    csrf = csrf_of(page)
    shown = client.post(f"/wallet/credentials/{holders.ann.uuid[9:]}/wallet-app", data={"csrf_token": csrf})
    assert shown.status_code == 200
    assert "Scan de QR-code met je wallet-app" in shown.text
    link = re.search(r'href="(openid-credential-offer://\?credential_offer_uri=[^"]+)"', shown.text)
    assert link, shown.text
    pin = re.search(r'class="offer-pin">(\d{6})<', shown.text)
    assert pin
    offer = demo.oid4vci.open_offers([holders.ann.uuid])[holders.ann.uuid]
    assert link.group(1).replace("&amp;", "&") == offer.uri
    assert pin.group(1) == offer.tx_code
    assert "<svg" in shown.text.split("wallet-offer")[1]  # the QR code, inline
    assert not demo.oid4vci.open_offers([holders.bob.uuid])  # Bob's credential got no offer


def test_a_learner_cannot_offer_someone_elses_credential(demo: Register, holders: Holders, client: TestClient) -> None:
    _ask_for_link(client, ANN)
    _open_link(client, _link_in(_outbox(demo)[-1]))
    csrf = csrf_of(client.get("/wallet").text)
    refused = client.post(f"/wallet/credentials/{holders.bob.uuid[9:]}/wallet-app", data={"csrf_token": csrf})
    assert refused.status_code == 404
    assert not demo.oid4vci.open_offers([holders.bob.uuid])
