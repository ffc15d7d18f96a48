"""A provider's status page: four components over the service catalogue, and the web tests'
shop (a customer whose contract covers mail and web hosting, its portal user, an agent)."""

from dataclasses import dataclass

import pytest

from contracts.models import Service
from statuspage.models import Component
from tests.factories import make_service
from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)
from tests.web.conftest import PASSWORD, Shop, shop  # noqa: F401  (fixture)


@dataclass
class Catalogue:
    mail: Service
    hosting: Service
    vps: Service
    mail_component: Component
    hosting_component: Component
    vps_component: Component
    panel: Component


@pytest.fixture
def catalogue(shop) -> Catalogue:  # noqa: F811
    """The shop's contract covers mail and hosting, not VPS; the customer panel carries
    every service (it names none)."""
    mail = make_service(code="correo", name="Correo")
    hosting = make_service(code="hosting", name="Hosting web")
    vps = make_service(code="vps", name="Servidores VPS")
    shop.contract.services.set([mail, hosting])

    def component(code, name, name_en, services, position):
        made = Component.objects.create(code=code, name=name, name_en=name_en, position=position)
        made.services.set(services)
        return made

    return Catalogue(
        mail=mail,
        hosting=hosting,
        vps=vps,
        mail_component=component("correo", "Correo electrónico", "Email", [mail], 1),
        hosting_component=component("hosting", "Hosting web", "Web hosting", [hosting], 2),
        vps_component=component("vps", "Servidores VPS", "VPS servers", [vps], 3),
        panel=component("panel", "Panel de cliente", "Customer panel", [], 4),
    )


__all__ = ["PASSWORD", "Shop"]
