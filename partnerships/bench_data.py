"""Generated MoUs for ``manage.py seed_bulk`` (100 per unit of scale), written with COPY.

Bypasses the services on purpose (see kitb_portal/accounts/bench_data.py): the rows must satisfy the
model's constraints on their own, so statuses and dates are drawn together. Ten years of MoUs:
old ones expired, terminated or renewed (past terms kept), recent ones active or signed, the
newest in draft or negotiation. Each has KITB as first party and one or two partners; one in five
includes Chungbuk Technopark, so the demo partner's list grows with the scale too.
References start with ``BULK-``.
"""

from __future__ import annotations

import datetime as dt

from kitb_portal.accounts.bench_data import BulkContext, copy_rows, person_name, pick_weighted, random_hex, take_ids

from .models import Commitment, DocumentApproval, MoU, MoUDocument, MoUNote, MoUParty, MoUTerm, ScopeArea

MOUS_PER_SCALE = 100
# Chungbuk Technopark, the main partner, is a party to one MoU in five (at scale 1 its users' list
# fills a page, as it does at scale 100).
TECHNOPARK_SHARE = 0.2

TOPICS = {
    ScopeArea.EVENTS: ("joint conferences, seminars and workshops", "konferensi, seminar dan lokakarya bersama", "공동 콘퍼런스·세미나·워크숍"),
    ScopeArea.INTERNATIONALISATION: ("programme internationalisation", "internasionalisasi program", "프로그램 국제화"),
    ScopeArea.MSME: ("MSME (UMKM) support", "dukungan UMKM", "중소기업(UMKM) 지원"),
    ScopeArea.INVESTMENT: ("investment in motors and batteries", "investasi motor dan baterai", "모터·배터리 투자"),
    ScopeArea.OTHER: ("research and training", "riset dan pelatihan", "연구·교육"),
}
TITLE_FORMS = [
    ("Memorandum of Understanding on {en} between KITB and {org}", "Nota Kesepahaman tentang {id} antara KITB dan {org}",
     "KITB·{org} 간 {ko}에 관한 업무협약"),
    ("Cooperation agreement on {en}: KITB and {org}", "Perjanjian kerja sama {id}: KITB dan {org}", "KITB·{org} {ko} 협력 협약"),
]
TITLES = ["President Director", "Director", "Vice President", "Head of International Cooperation", "Chief Executive Officer",
          "Director-General for Economic Affairs", "Dean", "Managing Director"]
COMMITMENTS = [
    "Hold a joint seminar on {en} each year.",
    "Exchange programme catalogues and contact lists.",
    "Organise a business-matching visit to KITB.",
    "Share the KITB investment guide in the partner's language.",
    "Report on the progress of {en} every six months.",
    "Host a delegation for a site visit of phase 1.",
    "Nominate a liaison officer for {en}.",
]
NOTES = [
    ("contact", "Call with the partner's liaison about next quarter's plans."),
    ("decision", "Both sides agreed to extend the scope to MSME support."),
    ("note", "Partner asked for the Korean translation of the draft."),
    ("contact", "Meeting at KITB with the partner's delegation."),
    ("decision", "Steering committee approved the annual work plan."),
    ("note", "Signed original filed with KITB's legal division."),
]
STATUS_WEIGHTS = {"settled": 0.80, "draft": 0.08, "negotiation": 0.12}


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def seed(ctx: BulkContext) -> None:
    rng = ctx.rng("partnerships")
    base = ctx.base_date
    partners = ctx.organizations
    owners = ctx.officer_ids + ctx.staff_ids
    n = ctx.n(MOUS_PER_SCALE)
    mou_ids = take_ids(MoU, n)

    mou_rows, term_rows, party_rows, doc_rows, approval_rows, commitment_rows, note_rows = [], [], [], [], [], [], []
    party_meta = []  # (mou index, org id, role, signed) in party id order
    doc_meta = []  # (mou index, kind, version, is latest draft)
    mous = []  # for the events step: (id, status, effective, expiry, scope, party org ids)
    for i, pk in enumerate(mou_ids):
        scope = sorted(rng.sample(list(TOPICS), rng.choice([1, 1, 2, 2, 3])))
        orgs = [partners[rng.randrange(len(partners))]]
        if rng.random() < 0.3 and len(partners) > 1:
            other = partners[rng.randrange(len(partners))]
            if other[0] != orgs[0][0]:
                orgs.append(other)
        with_technopark = ctx.technopark_id is not None and rng.random() < TECHNOPARK_SHARE
        kind = pick_weighted(rng, STATUS_WEIGHTS)
        if kind == "settled":
            created = ctx.moment(rng, hi=ctx.base - dt.timedelta(days=60))
        else:
            created = ctx.moment(rng, lo=ctx.base - dt.timedelta(days=540), hi=ctx.base)
        created_day = created.date()
        signed = effective = expiry = termination = None
        term_number, status, reason = 1, kind, ""
        auto_renew = rng.random() < 0.4
        if kind == "settled":
            signed = created_day + dt.timedelta(days=rng.randrange(20, 200))
            if signed > base:
                signed = base - dt.timedelta(days=rng.randrange(1, 30))
            effective = signed + dt.timedelta(days=rng.choice([0, 0, 0, 14, 30]))
            years = rng.choice([2, 3, 3, 5])
            expiry = _add_years(effective, years) - dt.timedelta(days=1)
            if effective > base:
                status = "signed"
            elif rng.random() < 0.07:
                status = "terminated"
                span = max(1, (min(expiry, base) - effective).days)
                termination = effective + dt.timedelta(days=rng.randrange(span))
                reason = "The partner's programme was discontinued."
            else:
                while expiry < base and auto_renew:  # renewed automatically: each past term is kept
                    term_rows.append((pk, term_number, signed, effective, expiry, "active", created, rng))
                    term_number += 1
                    effective = expiry + dt.timedelta(days=1)
                    expiry = _add_years(effective, years) - dt.timedelta(days=1)
                status = "expired" if expiry < base else "active"
        scope_text = TOPICS[scope[0]]
        org_label = orgs[0][1] if len(orgs) == 1 else f"{orgs[0][1]} and {orgs[1][1]}"
        en_form, id_form, ko_form = rng.choice(TITLE_FORMS)
        title_en = en_form.format(en=scope_text[0], org=org_label)[:300]
        title_id = id_form.format(id=scope_text[1], org=org_label)[:300] if rng.random() < 0.9 else ""
        title_ko = ko_form.format(ko=scope_text[2], org=org_label)[:300] if rng.random() < 0.7 else ""
        reference = f"BULK-{ctx.batch:02d}/MOU/{created.year}/{i + 1:05d}"
        owner = owners[rng.randrange(len(owners))] if owners else None
        updated = min(ctx.base, created + dt.timedelta(days=rng.randrange(0, 400)))
        mou_rows.append((
            pk, created, max(created, updated), reference, title_id, title_ko, title_en,
            f"The parties cooperate on {', '.join(TOPICS[s][0] for s in scope)}.", scope, status, signed, effective, expiry,
            term_number, auto_renew, rng.choice([60, 90, 90, 180]), termination, reason, owner,
        ))

        # parties: KITB first, the partners second, sometimes the technopark; signatories once signed
        party_orgs = [(ctx.host_id, "first_party")] + [(o[0], "second_party") for o in orgs]
        if with_technopark and all(o != ctx.technopark_id for o, _r in party_orgs):
            party_orgs.append((ctx.technopark_id, "second_party"))
        party_org_ids = [o for o, _r in party_orgs]
        for org_id, role in party_orgs:
            is_signed = signed is not None
            party_rows.append([
                None, created, created, pk, org_id, role,
                person_name(rng, "ID" if org_id == ctx.host_id else "KR") if is_signed else "",
                rng.choice(TITLES) if is_signed else "", signed if is_signed else None,
            ])
            party_meta.append((i, org_id, role, is_signed))
        # documents: one or two drafts, then the signed copy
        drafts = 0 if kind == "draft" and rng.random() < 0.5 else rng.choice([1, 1, 2])
        version = 0
        for d in range(drafts):
            version += 1
            doc_rows.append([None, created + dt.timedelta(days=7 * (d + 1)), pk, version, "draft", "en", "en",
                             f"draft-v{version}.pdf", owner, rng])
            doc_meta.append((i, "draft", version, d == drafts - 1))
        if signed is not None:
            version += 1
            doc_rows.append([None, dt.datetime.combine(signed, dt.time(3), ctx.base.tzinfo), pk, version, "signed_copy",
                             rng.choice(["en", "id", "ko"]), "en", "signed-copy.pdf", owner, rng])
            doc_meta.append((i, "signed_copy", version, False))
        # commitments within the term (done or waived when past, open when still ahead)
        if signed is not None:
            for _c in range(rng.choice([0, 1, 2, 3, 3, 4, 5])):
                due = effective + dt.timedelta(days=rng.randrange(30, max(31, (expiry - effective).days)))
                if due < base:
                    state = pick_weighted(rng, {"done": 0.75, "waived": 0.1, "open": 0.15})
                else:
                    state = "open"
                closed = None if state == "open" else min(base, due - dt.timedelta(days=rng.randrange(0, 30)))
                responsible = party_org_ids[rng.randrange(len(party_org_ids))]
                text = rng.choice(COMMITMENTS).format(en=TOPICS[rng.choice(scope)][0])
                commitment_rows.append((
                    None, created, created, pk, text, responsible, "Liaison office" if rng.random() < 0.5 else "",
                    owner if responsible == ctx.host_id and rng.random() < 0.5 else None, due, state,
                    "Done as agreed; minutes filed." if state == "done" else ("No longer needed." if state == "waived" else ""),
                    closed,
                ))
        for _n in range(rng.choice([0, 1, 1, 2, 3])):
            kind_, text = rng.choice(NOTES)
            noted = created_day + dt.timedelta(days=rng.randrange(0, 365))
            note_rows.append((None, created, created, pk, min(noted, base), kind_, text, owner))
        mous.append((pk, status, effective, expiry, scope, party_org_ids))

    ctx.add("MoUs", copy_rows(MoU, [
        "id", "created_at", "updated_at", "reference", "title_id", "title_ko", "title_en", "summary", "scope", "status",
        "signed_date", "effective_date", "expiry_date", "term_number", "auto_renew", "renewal_notice_days",
        "termination_date", "termination_reason", "owner_id",
    ], mou_rows))

    # past terms
    rows = []
    for pk, number, signed, effective, expiry, _status, created, _rng in term_rows:
        rows.append((created, created, pk, number, signed, effective, expiry, "active", None))
    ids = take_ids(MoUTerm, len(rows))
    copy_rows(MoUTerm, ["id", "created_at", "updated_at", "mou_id", "term_number", "signed_date", "effective_date",
                        "expiry_date", "ended_status", "renewed_by_id"], [(i, *r) for i, r in zip(ids, rows, strict=True)])

    # parties
    party_ids = take_ids(MoUParty, len(party_rows))
    for row, pid in zip(party_rows, party_ids, strict=True):
        row[0] = pid
    ctx.add("MoU parties", copy_rows(MoUParty, [
        "id", "created_at", "updated_at", "mou_id", "organization_id", "role", "signatory_name", "signatory_title", "signed_on",
    ], [tuple(r) for r in party_rows]))

    # documents (the files themselves are not generated: downloads of generated versions answer 404)
    doc_ids = take_ids(MoUDocument, len(doc_rows))
    rows = []
    for row, did in zip(doc_rows, doc_ids, strict=True):
        _none, created, mou_id, version, kind, language, governing, name, uploader, _rng = row
        rows.append((did, created, created, mou_id, version, kind, language, governing,
                     f"partnerships/bulk/mou_{mou_id}/v{version}.pdf", name, rng.randrange(40_000, 4_000_000),
                     random_hex(rng), "", uploader))
    ctx.add("MoU document versions", copy_rows(MoUDocument, [
        "id", "created_at", "updated_at", "mou_id", "version", "kind", "language", "governing_language", "file",
        "original_name", "size", "sha256", "comment", "uploaded_by_id",
    ], rows))

    # approvals of the latest draft: every party once signed, some parties while negotiating
    parties_by_mou: dict[int, list[tuple[int, bool]]] = {}
    for (mou_index, _org, _role, is_signed), pid in zip(party_meta, party_ids, strict=True):
        parties_by_mou.setdefault(mou_index, []).append((pid, is_signed))
    for (mou_index, kind, _version, latest), did in zip(doc_meta, doc_ids, strict=True):
        if kind != "draft" or not latest:
            continue
        status = mous[mou_index][1]
        for pid, is_signed in parties_by_mou[mou_index]:
            if is_signed or (status == "negotiation" and rng.random() < 0.5):
                changes = not is_signed and rng.random() < 0.3
                decided = ctx.moment(rng, lo=ctx.base - dt.timedelta(days=400), hi=ctx.base)
                approval_rows.append((
                    decided, decided, did, pid, "changes_requested" if changes else "approved",
                    "Please align article 4 with our procurement rules." if changes else "", None, decided,
                ))
    ids = take_ids(DocumentApproval, len(approval_rows))
    ctx.add("draft approvals", copy_rows(DocumentApproval, [
        "id", "created_at", "updated_at", "document_id", "party_id", "decision", "comment", "decided_by_id", "decided_at",
    ], [(i, *r) for i, r in zip(ids, approval_rows, strict=True)]))

    ids = take_ids(Commitment, len(commitment_rows))
    ctx.add("commitments", copy_rows(Commitment, [
        "id", "created_at", "updated_at", "mou_id", "description", "responsible_organization_id", "responsible_person",
        "responsible_user_id", "due_date", "status", "fulfilment_note", "closed_on",
    ], [(i, *r[1:]) for i, r in zip(ids, commitment_rows, strict=True)]))

    ids = take_ids(MoUNote, len(note_rows))
    ctx.add("MoU notes", copy_rows(MoUNote, [
        "id", "created_at", "updated_at", "mou_id", "noted_on", "kind", "text", "author_id",
    ], [(i, *r[1:]) for i, r in zip(ids, note_rows, strict=True)]))
    ctx.shared["partnerships.mous"] = mous
