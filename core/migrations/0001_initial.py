# The user model and the export log moved from `alliance` to `core` (the house, issue #12).
# This is alliance 0001_initial, the same operations under the new app label and with the tables
# the models always had (db_table). On a database where alliance 0001 ran, this migration counts as
# applied (`replaces`) and nothing is executed; on a new database it creates the tables.

import django.contrib.auth.models
import django.contrib.auth.validators
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [("alliance", "0001_initial")]

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='User',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('password', models.CharField(max_length=128, verbose_name='password')),
                ('last_login', models.DateTimeField(blank=True, null=True, verbose_name='last login')),
                ('is_superuser', models.BooleanField(default=False, help_text='Designates that this user has all permissions without explicitly assigning them.', verbose_name='superuser status')),
                ('username', models.CharField(error_messages={'unique': 'A user with that username already exists.'}, help_text='Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.', max_length=150, unique=True, validators=[django.contrib.auth.validators.UnicodeUsernameValidator()], verbose_name='username')),
                ('first_name', models.CharField(blank=True, max_length=150, verbose_name='first name')),
                ('last_name', models.CharField(blank=True, max_length=150, verbose_name='last name')),
                ('email', models.EmailField(blank=True, max_length=254, verbose_name='email address')),
                ('is_staff', models.BooleanField(default=False, help_text='Designates whether the user can log into this admin site.', verbose_name='staff status')),
                ('is_active', models.BooleanField(default=True, help_text='Designates whether this user should be treated as active. Unselect this instead of deleting accounts.', verbose_name='active')),
                ('date_joined', models.DateTimeField(default=django.utils.timezone.now, verbose_name='date joined')),
                ('full_name', models.CharField(blank=True, max_length=50, verbose_name='full name')),
                ('role', models.CharField(choices=[('staff', 'Bureau staff'), ('secretary', 'Branch secretary'), ('supervisor', 'Supervisor'), ('liaison', 'Community liaison'), ('viewer', 'Viewer')], default='viewer', max_length=20, verbose_name='role')),
                ('phone', models.CharField(blank=True, max_length=20, verbose_name='phone')),
                ('large_text', models.BooleanField(default=False, verbose_name='large text')),
            ],
            options={
                'db_table': 'alliance_user',
                'verbose_name': 'user',
                'verbose_name_plural': 'users',
            },
            managers=[
                ('objects', django.contrib.auth.models.UserManager()),
            ],
        ),
        migrations.CreateModel(
            name='ExportLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                ('export', models.CharField(max_length=100, verbose_name='export')),
                ('query', models.TextField(blank=True, verbose_name='filter')),
                ('unmasked', models.BooleanField(default=False, verbose_name='unmasked')),
                ('rows', models.PositiveIntegerField(blank=True, null=True, verbose_name='rows')),
            ],
            options={
                'db_table': 'alliance_exportlog',
                'verbose_name': 'export log entry',
                'verbose_name_plural': 'export log',
                'ordering': ['-created_at'],
            },
        ),
    ]
