# The alliance registry and annual targets, moved here from branches (the house, issue #12).
# State only: the models keep their tables (db_table, history table_name), so every row stays;
# their content types are relabelled so that permissions and admin history follow them.

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MOVED = (
    "alliancemembership",
    "historicalalliancemembership",
    "annualtarget",
    "historicalannualtarget",
)


def relabel_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not content_type.objects.filter(app_label="alliance", model=model).exists():
            content_type.objects.filter(app_label="branches", model=model).update(
                app_label="alliance"
            )


def restore_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="alliance", model__in=MOVED).update(
        app_label="branches"
    )



class Migration(migrations.Migration):

    dependencies = [
        ('alliance', '0004_history'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('branches', '0005_registry_to_alliance'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='AnnualTarget',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('year', models.PositiveSmallIntegerField(unique=True, verbose_name='year')),
                    ('organizations_target', models.PositiveIntegerField(verbose_name='target number of alliance organizations')),
                    ('coverage_rate_target', models.DecimalField(decimal_places=1, max_digits=5, verbose_name='target coverage rate (%)')),
                    ('participation_rate_target', models.DecimalField(decimal_places=1, max_digits=5, verbose_name='target participation rate (%)')),
                    ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                ],
                options={
                    'verbose_name': 'annual target',
                    'verbose_name_plural': 'annual targets',
                    'db_table': 'branches_annualtarget',
                    'ordering': ['-year'],
                },
            ),
            migrations.CreateModel(
                name='HistoricalAllianceMembership',
                fields=[
                    ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                    ('joined_on', models.DateField(verbose_name='joined on')),
                    ('left_on', models.DateField(blank=True, db_index=True, null=True, verbose_name='left on')),
                    ('hub', models.CharField(choices=[('elderly_centre', 'Yinchuan Elderly Party and Public Activity Centre'), ('elderly_university', 'Yinchuan Elderly University Party and Public Activity Centre')], db_index=True, max_length=30, verbose_name='hub')),
                    ('role', models.CharField(choices=[('lead', 'Lead'), ('member', 'Member')], default='member', max_length=10, verbose_name='role in the alliance')),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.CharField(max_length=100, null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('organization', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='branches.organization', verbose_name='organization')),
                ],
                options={
                    'verbose_name': 'historical alliance membership',
                    'verbose_name_plural': 'historical alliance memberships',
                    'db_table': 'branches_historicalalliancemembership',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalAnnualTarget',
                fields=[
                    ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                    ('year', models.PositiveSmallIntegerField(db_index=True, verbose_name='year')),
                    ('organizations_target', models.PositiveIntegerField(verbose_name='target number of alliance organizations')),
                    ('coverage_rate_target', models.DecimalField(decimal_places=1, max_digits=5, verbose_name='target coverage rate (%)')),
                    ('participation_rate_target', models.DecimalField(decimal_places=1, max_digits=5, verbose_name='target participation rate (%)')),
                    ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.CharField(max_length=100, null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'historical annual target',
                    'verbose_name_plural': 'historical annual targets',
                    'db_table': 'branches_historicalannualtarget',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='AllianceMembership',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('joined_on', models.DateField(verbose_name='joined on')),
                    ('left_on', models.DateField(blank=True, db_index=True, null=True, verbose_name='left on')),
                    ('hub', models.CharField(choices=[('elderly_centre', 'Yinchuan Elderly Party and Public Activity Centre'), ('elderly_university', 'Yinchuan Elderly University Party and Public Activity Centre')], db_index=True, max_length=30, verbose_name='hub')),
                    ('role', models.CharField(choices=[('lead', 'Lead'), ('member', 'Member')], default='member', max_length=10, verbose_name='role in the alliance')),
                    ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='alliance_memberships', to='branches.organization', verbose_name='organization')),
                ],
                options={
                    'verbose_name': 'alliance membership',
                    'verbose_name_plural': 'alliance memberships',
                    'db_table': 'branches_alliancemembership',
                    'ordering': ['-joined_on', 'pk'],
                    'constraints': [models.UniqueConstraint(condition=models.Q(('left_on__isnull', True)), fields=('organization',), name='one_open_alliance_membership')],
                },
            ),
    ]
        ),
        migrations.RunPython(relabel_content_types, restore_content_types),
    ]
