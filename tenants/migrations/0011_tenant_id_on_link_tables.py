"""Citus readiness (docs/scaling.md): link tables carry their tenant, and unique
constraints include it.

- `tenants_teammember` gains `tenant_id`, copied from its team.
- The invitation/team M2M table Django made becomes the explicit `InvitationTeam`
  model (same table, no data moved) and gains `tenant_id`, copied from its invitation.
- `token_hash` is unique per tenant (plus an index for the link's lookup).
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_tenants(apps, schema_editor):
    TeamMember = apps.get_model("tenants", "TeamMember")
    InvitationTeam = apps.get_model("tenants", "InvitationTeam")
    Team = apps.get_model("tenants", "Team")
    Invitation = apps.get_model("tenants", "Invitation")
    TeamMember.objects.filter(tenant__isnull=True).update(
        tenant_id=models.Subquery(Team.objects.filter(pk=models.OuterRef("team_id")).values("tenant_id")[:1])
    )
    InvitationTeam.objects.filter(tenant__isnull=True).update(
        tenant_id=models.Subquery(
            Invitation.objects.filter(pk=models.OuterRef("invitation_id")).values("tenant_id")[:1]
        )
    )


class Migration(migrations.Migration):

    dependencies = [
        ("tenants", "0010_two_factor_policy"),
    ]

    operations = [
        # The auto-created M2M table becomes a model of its own; the database is untouched.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="InvitationTeam",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("invitation", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="tenants.invitation")),
                        ("team", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="tenants.team")),
                    ],
                    options={
                        "db_table": "tenants_invitation_teams",
                        "unique_together": {("invitation", "team")},
                    },
                ),
                migrations.AlterField(
                    model_name="invitation",
                    name="teams",
                    field=models.ManyToManyField(blank=True, related_name="invitations", through="tenants.InvitationTeam", to="tenants.team"),
                ),
            ],
        ),
        migrations.AddField(
            model_name="teammember",
            name="tenant",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tenants.tenant"),
        ),
        migrations.AddField(
            model_name="invitationteam",
            name="tenant",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tenants.tenant"),
        ),
        migrations.RunPython(copy_tenants, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="teammember",
            name="tenant",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tenants.tenant"),
        ),
        migrations.AlterField(
            model_name="invitationteam",
            name="tenant",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tenants.tenant"),
        ),
        migrations.RemoveConstraint(
            model_name="teammember",
            name="tenants_teammember_unique",
        ),
        migrations.AddConstraint(
            model_name="teammember",
            constraint=models.UniqueConstraint(fields=("tenant", "team", "membership"), name="tenants_teammember_unique"),
        ),
        migrations.AlterUniqueTogether(
            name="invitationteam",
            unique_together=set(),
        ),
        migrations.AddConstraint(
            model_name="invitationteam",
            constraint=models.UniqueConstraint(fields=("tenant", "invitation", "team"), name="tenants_invitationteam_unique"),
        ),
        migrations.AlterField(
            model_name="invitation",
            name="token_hash",
            field=models.CharField(db_index=True, editable=False, max_length=64),
        ),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.UniqueConstraint(fields=("tenant", "token_hash"), name="tenants_invitation_unique_token"),
        ),
    ]
