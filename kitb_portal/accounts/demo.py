"""Demo organisations and users. Other apps' demo steps look them up through these constants.

Passwords come from DEMO_PASSWORD, or one is generated and printed; never for production.
(Completed by the foundation issue: creation through services, one line per login printed as
``demo-login <role> <email> <password>``.)
"""

KITB = "Kawasan Industri Terpadu Batang"
TECHNOPARK = "Chungbuk Technopark"
PROVINCE = "Chungcheongbuk-do Provincial Government"

# role -> (e-mail, full name, organisation, staff group or None, preferred language)
DEMO_USERS = {
    "kitb-administrator": ("admin@kitb.demo", "Dewi Lestari", KITB, "KITB administrator", "id"),
    "partnerships-officer": ("partnerships@kitb.demo", "Budi Santoso", KITB, "Partnerships officer", "id"),
    "events-officer": ("events@kitb.demo", "Sari Wulandari", KITB, "Events officer", "id"),
    "screening-committee": ("reviewer@kitb.demo", "Agus Prasetyo", KITB, "Screening committee member", "en"),
    "screening-committee-2": ("reviewer2@kitb.demo", "Rina Kusuma", KITB, "Screening committee member", "id"),
    "partner-technopark": ("partner@cbtp.demo", "Kim Min-jun", TECHNOPARK, None, "ko"),
    "partner-province": ("partner@chungbuk.demo", "Lee Seo-yeon", PROVINCE, None, "ko"),
}


def seed(stdout) -> None:
    """Organisations and demo users; idempotent."""
