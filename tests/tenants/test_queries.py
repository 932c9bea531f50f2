"""The pipeline pages cost the same number of queries with 5 applications as with 300."""
import pytest

from tenants.models import Application, Review, ReviewAssignment, ReviewScore
from tests.utils import assert_flat_queries, count_queries, logged_in_client

from .factories import ApplicationFactory

STATUSES = ["draft", "submitted", "screening", "due_diligence", "committee", "approved", "withdrawn"]


def _make(n, referrer, sector, officer, reviewers, criteria):
    """``n`` applications at every step, with complete reviews and scores on the reviewed ones."""
    apps = [
        ApplicationFactory(referrer=referrer, sector=sector, status=STATUSES[i % len(STATUSES)], owning_officer=officer)
        for i in range(n)
    ]
    from django.utils import timezone

    scores = []
    for app in apps[::3]:
        for reviewer in reviewers:
            review = Review.objects.create(assignment=ReviewAssignment.objects.create(application=app, reviewer=reviewer), submitted_at=timezone.now())
            scores += [ReviewScore(review=review, criterion=c, score=1 + (app.pk + c.pk) % 5) for c in criteria]
    ReviewScore.objects.bulk_create(scores)
    return apps


@pytest.fixture
def staff_client(kitb_admin):
    return logged_in_client(kitb_admin)


@pytest.mark.slow  # builds the data twice: the query count at two sizes
@pytest.mark.django_db
def test_portal_list_queries_do_not_grow(partner_client, technopark, province, sector, kitb_admin, reviewer1, reviewer2, criteria):
    _make(5, technopark, sector, kitb_admin, [reviewer1, reviewer2], criteria)
    _make(5, province, sector, kitb_admin, [reviewer1], criteria)
    partner_client.get("/portal/applications/")  # warm the session
    small = count_queries(partner_client.get, "/portal/applications/")
    assert small[2].status_code == 200 and len(small[2].context["page"].object_list) == 5
    _make(295, technopark, sector, kitb_admin, [reviewer1, reviewer2], criteria)
    large = count_queries(partner_client.get, "/portal/applications/")
    assert large[2].status_code == 200 and large[2].context["page"].paginator.count == 300
    assert_flat_queries(small, large, limit=10)
    last = count_queries(partner_client.get, "/portal/applications/?page=15")
    assert_flat_queries(small, last, limit=10)


@pytest.mark.slow  # builds the data twice: the query count at two sizes
@pytest.mark.django_db
def test_admin_pipeline_changelist_queries_do_not_grow(staff_client, technopark, province, sector, kitb_admin, reviewer1, reviewer2, criteria):
    _make(5, technopark, sector, kitb_admin, [reviewer1, reviewer2], criteria)
    staff_client.get("/admin/tenants/application/")
    small = count_queries(staff_client.get, "/admin/tenants/application/")
    assert small[2].status_code == 200
    _make(295, province, sector, kitb_admin, [reviewer1, reviewer2], criteria)
    large = count_queries(staff_client.get, "/admin/tenants/application/")
    assert large[2].status_code == 200 and Application.objects.count() == 300
    assert_flat_queries(small, large, limit=25)
    # with a filter on the annotated score, too
    small_f = count_queries(staff_client.get, "/admin/tenants/application/?score=3to4&status__exact=screening")
    large_f = count_queries(staff_client.get, "/admin/tenants/application/?score=3to4&status__exact=screening&p=1")
    assert_flat_queries(small_f, large_f, limit=25)


@pytest.mark.slow  # builds the data twice: the query count at two sizes
@pytest.mark.django_db
def test_admin_review_and_allocation_changelists_queries_do_not_grow(staff_client, technopark, sector, kitb_admin, reviewer1, reviewer2, criteria):
    _make(6, technopark, sector, kitb_admin, [reviewer1, reviewer2], criteria)
    staff_client.get("/admin/tenants/review/")
    small = count_queries(staff_client.get, "/admin/tenants/review/")
    _make(90, technopark, sector, kitb_admin, [reviewer1, reviewer2], criteria)
    large = count_queries(staff_client.get, "/admin/tenants/review/")
    assert_flat_queries(small, large, limit=20)


@pytest.mark.slow  # builds the data twice: the query count at two sizes
@pytest.mark.django_db
def test_admin_land_changelists_queries_do_not_grow(staff_client, kitb_admin, technopark, sector):
    from decimal import Decimal

    from tenants import services

    from .factories import PlotFactory, ZoneFactory

    zone = ZoneFactory(code="big", area_ha=Decimal("4000"))

    def allocate(n, start):
        for i in range(start, start + n):
            plot = PlotFactory(code=f"Q-{i:03d}", zone=zone, area_ha=Decimal("5"))
            app = ApplicationFactory(referrer=technopark, sector=sector, status="approved")
            services.plot_allocate(plot_id=plot.pk, application_id=app.pk, actor=kitb_admin)

    allocate(3, 0)
    pages = ["/admin/tenants/allocation/", "/admin/tenants/plot/", "/admin/tenants/zone/land-summary/", "/admin/tenants/zone/site-plan/big/"]
    for page in pages:
        staff_client.get(page)
    small = {page: count_queries(staff_client.get, page) for page in pages}
    allocate(60, 3)
    for page in pages:
        large = count_queries(staff_client.get, page)
        assert large[2].status_code == 200, page
        assert_flat_queries(small[page], large, limit=20)
