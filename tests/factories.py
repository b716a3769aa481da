"""factory_boy factories. They build through the ORM for speed; rules are tested via services."""

from datetime import date
from decimal import Decimal

import factory

from buendnis.accounts.models import Membership, PlatformRole, Role, User
from buendnis.alliances.models import (
    ActionField,
    Alliance,
    Body,
    BodyKind,
    CooperationAgreement,
    FundingPhase,
    GroupKind,
    Organisation,
    OrganisationGroup,
    Person,
    Seat,
    SeatRole,
    Topic,
)


class AllianceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alliance
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"buendnis-{n}")
    name = factory.Sequence(lambda n: f"Fachkräftebündnis Test {n}")
    short_name = factory.Sequence(lambda n: f"Test {n}")
    office_host = "Geschäftsstelle GmbH"


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationGroup

    alliance = factory.SubFactory(AllianceFactory)
    name = factory.Sequence(lambda n: f"Gruppe {n}")
    kind = GroupKind.OTHER


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    alliance = factory.SubFactory(AllianceFactory)
    group = factory.SubFactory(GroupFactory, alliance=factory.SelfAttribute("..alliance"))
    name = factory.Sequence(lambda n: f"Organisation {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    alliance = factory.SelfAttribute("organisation.alliance")
    first_name = "Erika"
    last_name = factory.Sequence(lambda n: f"Muster{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    phone = "0531 000000"


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingPhase

    alliance = factory.SubFactory(AllianceFactory)
    name = "2018–2021"
    starts_on = date(2018, 7, 1)
    ends_on = date(2021, 6, 30)
    virtual_budget = Decimal("1500000.00")
    funding_rate = Decimal("50.00")


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationAgreement

    phase = factory.SubFactory(PhaseFactory)
    alliance = factory.SelfAttribute("phase.alliance")
    organisation = factory.SubFactory(OrganisationFactory, alliance=factory.SelfAttribute("..alliance"))
    signed_on = factory.SelfAttribute("phase.starts_on")


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    alliance = factory.SubFactory(AllianceFactory)
    kind = BodyKind.STEERING
    name = "Steuerkreis"


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    body = factory.SubFactory(BodyFactory)
    alliance = factory.SelfAttribute("body.alliance")
    organisation = factory.SubFactory(OrganisationFactory, alliance=factory.SelfAttribute("..alliance"))
    role = SeatRole.MEMBER
    starts_on = date(2018, 7, 1)


class ActionFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionField

    phase = factory.SubFactory(PhaseFactory)
    alliance = factory.SelfAttribute("phase.alliance")
    title = factory.Sequence(lambda n: f"Handlungsfeld {n}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    action_field = factory.SubFactory(ActionFieldFactory)
    alliance = factory.SelfAttribute("action_field.alliance")
    title = factory.Sequence(lambda n: f"Thema {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    platform_role = PlatformRole.NONE
    password = factory.PostGenerationMethodCall("set_password", "geheim-genug-123")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    alliance = factory.SubFactory(AllianceFactory)
    role = Role.STEERING
