# The alliance registry and annual targets moved to the alliance app (the house, issue #12).
# State only: the tables stay where they are and now belong to alliance's models (db_table).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('branches', '0004_drop_nameless_communities'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveField(
                model_name='alliancemembership',
                name='organization',
            ),
            migrations.DeleteModel(
                name='AnnualTarget',
            ),
            migrations.RemoveField(
                model_name='historicalalliancemembership',
                name='history_user',
            ),
            migrations.RemoveField(
                model_name='historicalalliancemembership',
                name='organization',
            ),
            migrations.RemoveField(
                model_name='historicalannualtarget',
                name='history_user',
            ),
            migrations.DeleteModel(
                name='AllianceMembership',
            ),
            migrations.DeleteModel(
                name='HistoricalAllianceMembership',
            ),
            migrations.DeleteModel(
                name='HistoricalAnnualTarget',
            ),
    ]
        ),
    ]
