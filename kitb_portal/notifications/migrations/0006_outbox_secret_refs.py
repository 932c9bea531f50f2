"""One-time links are made at delivery from ``secret_refs``; the bodies keep placeholders only.

Rows written before this change hold their links in the body. Those already sent or failed lose
them here: the body of a kind that carries a secret (password reset, invitation, guest
registration links) is replaced by a note, and unsubscribe tokens are cut out of every body and
header. Pending rows keep their body until they are sent (they are delivered as written).
"""

from django.db import migrations, models

SECRET_KINDS = ("password_reset", "invitation", "event_registration", "event_reminder", "event_change", "event_followup")
NOTE = "[Removed: this message held a one-time link that only its recipient may see.]"

REDACT = f"""
UPDATE notifications_outboxmessage
   SET body_text = '{NOTE}', body_html = ''
 WHERE status IN ('sent', 'failed') AND kind IN ({", ".join(f"'{k}'" for k in SECRET_KINDS)});
UPDATE notifications_outboxmessage
   SET body_text = regexp_replace(body_text, '/portal/unsubscribe/[^[:space:]"<>]+', '/portal/unsubscribe/[removed]/', 'g'),
       body_html = regexp_replace(body_html, '/portal/unsubscribe/[^[:space:]"<>]+', '/portal/unsubscribe/[removed]/', 'g'),
       headers = headers - 'List-Unsubscribe'
 WHERE status IN ('sent', 'failed') AND (body_text LIKE '%/portal/unsubscribe/%' OR headers ? 'List-Unsubscribe');
"""


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0005_digest_periodic_task"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="secret_refs",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="links made at delivery"),
        ),
        migrations.RunSQL(REDACT, migrations.RunSQL.noop),
    ]
