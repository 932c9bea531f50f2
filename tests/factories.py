"""factory_boy factories for the core (accounts). App factories live in tests/<app>/factories.py."""
import factory

from kitb_portal.accounts.models import Organization, User

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organization.Kind.COMPANY
    country = "KR"
    is_host = False

    class Params:
        host = factory.Trait(
            name="Kawasan Industri Terpadu Batang", local_name="Kawasan Industri Terpadu Batang",
            kind=Organization.Kind.INDUSTRIAL_ESTATE, country="ID", is_host=True,
        )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    organization = factory.SubFactory(OrganizationFactory)
    preferred_language = "en"
    is_staff = False
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    class Params:
        staff = factory.Trait(is_staff=True)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


# The organisations and users most tests share (tests/conftest.py gives them as fixtures; data built
# once for a module, tests.utils.built_once, makes them with these).
def host_organization() -> Organization:
    return OrganizationFactory(host=True)


def technopark_organization() -> Organization:
    return OrganizationFactory(name="Chungbuk Technopark", local_name="충북테크노파크", kind="technopark", country="KR")


def province_organization() -> Organization:
    return OrganizationFactory(name="Chungcheongbuk-do Provincial Government", local_name="충청북도", kind="government", country="KR")


def partner_a_user(technopark: Organization) -> User:
    """A partner user of Chungbuk Technopark."""
    return UserFactory(organization=technopark, email="a@technopark.example")


def partner_b_user(province: Organization) -> User:
    """A partner user of the provincial government: must never see partner A's records."""
    return UserFactory(organization=province, email="b@province.example")


def admin_user_of(kitb: Organization) -> User:
    """A KITB superuser."""
    return UserFactory(staff=True, organization=kitb, is_superuser=True, email="admin@kitb.example")


def people(*, admin_user: bool = True) -> dict:
    """What the fixtures of the same names give, made at once (for data built once for several
    tests): kitb, technopark, province, admin_user (unless left out), partner_a, partner_b."""
    kitb, technopark, province = host_organization(), technopark_organization(), province_organization()
    made = {"kitb": kitb, "technopark": technopark, "province": province}
    if admin_user:
        made["admin_user"] = admin_user_of(kitb)
    return {**made, "partner_a": partner_a_user(technopark), "partner_b": partner_b_user(province)}
