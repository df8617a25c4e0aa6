"""axe (WCAG 2.1 AA) and CSP on every deltagare page, for each role that may see it, including
error states."""

from deltagare.models import Deltagande
from finsam.demo_accounts import DEMO_PASSWORD


def _submit(page, name):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()
    page.assert_accessible()


def test_every_handlaggare_page_is_accessible(page, demo_data):
    identified = (
        Deltagande.objects.filter(
            insats__kod="UNGA", person__isnull=False, utskrivning__isnull=True
        )
        .order_by("nummer")
        .first()
    )
    ended = (
        Deltagande.objects.filter(
            insats__kod="UNGA", person__isnull=False, utskrivning__isnull=False
        )
        .exclude(avslutsorsak_id="FEL")
        .order_by("utskrivning")
        .first()
    )
    anonymous = Deltagande.objects.filter(insats__kod="UNGA", person__isnull=True).first()
    page.login("handlaggare", DEMO_PASSWORD)
    for path in [
        "/deltagare/mina/",
        "/deltagare/mina/?status=aktiva&saknas=alla&kon=K&aldersgrupp=16-19",
        "/deltagare/mina/?fran=inte-ett-datum",
        f"/deltagare/insats/{identified.insats.uuid}/",
        "/deltagare/uppfoljningar/",
        f"/deltagare/d/{identified.uuid}/",
        f"/deltagare/d/{anonymous.uuid}/",
        f"/deltagare/d/{ended.uuid}/",
        f"/deltagare/d/{identified.uuid}/andra/",
        f"/deltagare/d/{ended.uuid}/andra/",
        f"/deltagare/d/{anonymous.uuid}/andra/",
        f"/deltagare/d/{identified.uuid}/aterkalla/",
        f"/deltagare/d/{identified.uuid}/samtycke/",
        f"/deltagare/person/{identified.person.uuid}/",
        "/deltagare/logg/",
        "/deltagare/import/",
    ]:
        page.visit(path)
        page.assert_accessible()

    page.visit(f"/deltagare/insats/{identified.insats.uuid}/registrera/")
    _submit(page, "Fortsätt")  # no answers: error state
    page.visit(f"/deltagare/insats/{identified.insats.uuid}/registrera/?skyddad=nej&samtycke=ja")
    _submit(page, "Registrera")  # empty identified form: every field in error
    page.visit(f"/deltagare/insats/{identified.insats.uuid}/registrera/?skyddad=nej&samtycke=nej")
    _submit(page, "Registrera")
    page.visit(f"/deltagare/d/{identified.uuid}/avsluta/")
    _submit(page, "Avsluta deltagandet")
    page.visit(f"/deltagare/d/{ended.uuid}/uppfoljning/6/")
    page.get_by_label("Ja").check()
    _submit(page, "Spara uppföljningen")
    page.visit("/deltagare/import/")
    _submit(page, "Läs in filen")
    page.visit("/deltagare/mina/")
    page.get_by_label("Sök på personnummer").fill("19000101-0000")
    _submit(page, "Sök")
    page.get_by_label("Sök på personnummer").fill("19121212-1212")
    _submit(page, "Sök")


def test_every_forbundschef_page_is_accessible(page, demo_data):
    page.login("chef", DEMO_PASSWORD)
    for path in [
        "/deltagare/oversikt/",
        "/deltagare/oversikt/?fran=2025-01-01&till=2025-06-30",
        "/deltagare/oversikt/?fran=2025-06-30&till=2025-01-01",
        "/deltagare/logg/",
        "/deltagare/logg/?vad=VISA",
    ]:
        page.visit(path)
        page.assert_accessible()
    page.visit("/deltagare/oversikt/")
    page.get_by_label("Gallra identiteter efter (månader)").fill("36")
    _submit(page, "Spara")
    assert "36 månader" in page.content()
