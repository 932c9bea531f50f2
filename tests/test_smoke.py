import pytest


@pytest.mark.django_db
def test_healthz_ok(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_portal_home_shows_organisation(client_a, partner_a):
    response = client_a.get("/portal/")
    assert response.status_code == 200
    assert partner_a.organization.name in response.content.decode()


def test_bootstrap_served_from_own_static(client, db):
    from django.contrib.staticfiles import finders

    assert finders.find("bootstrap/css/bootstrap.min.css")
    assert finders.find("bootstrap/js/bootstrap.bundle.min.js")
