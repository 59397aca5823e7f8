"""schema

Revision ID: 0001
Revises: 
Create Date: 2026-12-01 22:53:45.727322
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('blobs',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_blobs'))
    )
    with op.batch_alter_table('blobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blobs_stored_at'), ['stored_at'], unique=False)

    op.create_table('card_messages',
    sa.Column('card_key', sa.String(length=200), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=320), nullable=False),
    sa.Column('message_id', sa.String(length=1000), nullable=False),
    sa.PrimaryKeyConstraint('card_key', name=op.f('pk_card_messages'))
    )
    with op.batch_alter_table('card_messages', schema=None) as batch_op:
        batch_op.create_index('ix_card_messages_place', ['platform', 'channel', 'message_id'], unique=False)

    op.create_table('event_feeds',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', 'source', name=op.f('pk_event_feeds'))
    )
    op.create_table('form_drafts',
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.String(length=320), nullable=False),
    sa.Column('command', sa.Text(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_form_drafts'))
    )
    with op.batch_alter_table('form_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_drafts_created_at'), ['created_at'], unique=False)

    op.create_table('integration_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integration_tokens')),
    sa.UniqueConstraint('name', name=op.f('uq_integration_tokens_name')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_integration_tokens_token_hash'))
    )
    op.create_table('kb_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('service', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('also_asked_as', sa.JSON(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('updated', sa.Date(), nullable=True),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_articles')),
    sa.UniqueConstraint('slug', name=op.f('uq_kb_articles_slug'))
    )
    with op.batch_alter_table('kb_articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_articles_changed_at'), ['changed_at'], unique=False)

    op.create_table('kb_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('suggested', 'solved', 'not_helpful', 'sent', 'viewed')", name=op.f('ck_kb_feedback_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_feedback'))
    )
    with op.batch_alter_table('kb_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_feedback_slug'), ['slug'], unique=False)

    op.create_table('kb_phrasings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_phrasings'))
    )
    with op.batch_alter_table('kb_phrasings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_phrasings_slug'), ['slug'], unique=False)

    op.create_table('link_codes',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('workspace', sa.String(length=100), nullable=False),
    sa.Column('user_id', sa.String(length=320), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_link_codes'))
    )
    with op.batch_alter_table('link_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_codes_user_id'), ['user_id'], unique=False)

    op.create_table('pending_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_events')),
    sa.UniqueConstraint('platform', 'key', name=op.f('uq_pending_events_platform'))
    )
    with op.batch_alter_table('pending_events', schema=None) as batch_op:
        batch_op.create_index('ix_pending_events_ready', ['platform', 'next_attempt_at'], unique=False)

    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('config_name', sa.String(length=200), nullable=False),
    sa.Column('config_role', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('email', name=op.f('uq_people_email'))
    )
    op.create_table('processed_events',
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('event_id', sa.String(length=1100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('platform', 'event_id', name=op.f('pk_processed_events'))
    )
    op.create_table('read_marks',
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('place', sa.String(length=320), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('platform', 'place', name=op.f('pk_read_marks'))
    )
    op.create_table('report_digests',
    sa.Column('week', sa.String(length=10), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('week', name=op.f('pk_report_digests'))
    )
    op.create_table('report_rolled_days',
    sa.Column('basis', sa.String(length=64), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.PrimaryKeyConstraint('basis', 'day', name=op.f('pk_report_rolled_days'))
    )
    op.create_table('report_tallies',
    sa.Column('basis', sa.String(length=64), nullable=False),
    sa.Column('figure', sa.String(length=20), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('service', sa.String(length=100), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('priority', sa.String(length=2), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('v0', sa.Float(), nullable=False),
    sa.Column('v1', sa.Float(), nullable=False),
    sa.Column('v2', sa.Float(), nullable=False),
    sa.Column('v3', sa.Float(), nullable=False),
    sa.Column('v4', sa.Float(), nullable=False),
    sa.Column('v5', sa.Float(), nullable=False),
    sa.Column('v6', sa.Float(), nullable=False),
    sa.Column('v7', sa.Float(), nullable=False),
    sa.Column('v8', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('basis', 'figure', 'day', 'team', 'kind', 'category', 'service', 'platform', 'priority', 'key', name=op.f('pk_report_tallies'))
    )
    op.create_table('report_trail_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('sla_event_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_trail_checks'))
    )
    with op.batch_alter_table('report_trail_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_trail_checks_at'), ['at'], unique=False)

    op.create_table('runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_runs'))
    )
    op.create_table('sign_in_codes',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('workspace', sa.String(length=100), nullable=False),
    sa.Column('user_id', sa.String(length=320), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_sign_in_codes'))
    )
    with op.batch_alter_table('sign_in_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_codes_user_id'), ['user_id'], unique=False)

    op.create_table('triage_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_triage_state'))
    )
    op.create_table('identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('workspace', sa.String(length=100), nullable=False),
    sa.Column('user_id', sa.String(length=320), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('agent', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_identities_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identities')),
    sa.UniqueConstraint('platform', 'workspace', 'user_id', name=op.f('uq_identities_platform'))
    )
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identities_person_id'), ['person_id'], unique=False)

    op.create_table('outages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=100), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('impact', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('declared_by_id', sa.Integer(), nullable=True),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['declared_by_id'], ['people.id'], name=op.f('fk_outages_declared_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outages'))
    )
    with op.batch_alter_table('outages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outages_service'), ['service'], unique=False)

    op.create_table('people_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('old', sa.Text(), nullable=False),
    sa.Column('new', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], name=op.f('fk_people_audit_actor_id_people')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_people_audit_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people_audit'))
    )
    with op.batch_alter_table('people_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_audit_person_id'), ['person_id'], unique=False)

    op.create_table('people_directory',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('department', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('away_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delegate_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['delegate_id'], ['people.id'], name=op.f('fk_people_directory_delegate_id_people')),
    sa.ForeignKeyConstraint(['manager_id'], ['people.id'], name=op.f('fk_people_directory_manager_id_people')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_people_directory_person_id_people')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_people_directory'))
    )
    with op.batch_alter_table('people_directory', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_directory_manager_id'), ['manager_id'], unique=False)

    op.create_table('service_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=100), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_service_subscriptions_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_subscriptions')),
    sa.UniqueConstraint('service', 'person_id', name=op.f('uq_service_subscriptions_service'))
    )
    with op.batch_alter_table('service_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_subscriptions_service'), ['service'], unique=False)

    op.create_table('sla_digests',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_sla_digests_person_id_people')),
    sa.PrimaryKeyConstraint('person_id', 'day', name=op.f('pk_sla_digests'))
    )
    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('service', sa.String(length=100), nullable=False),
    sa.Column('impact', sa.Integer(), nullable=False),
    sa.Column('urgency', sa.Integer(), nullable=False),
    sa.Column('priority', sa.String(length=2), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('origin_platform', sa.String(length=20), nullable=False),
    sa.Column('origin_channel', sa.String(length=320), nullable=False),
    sa.Column('origin_message', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=False),
    sa.Column('self_service', sa.Boolean(), nullable=False),
    sa.Column('hold_reason', sa.Text(), nullable=False),
    sa.Column('first_response_due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sla_check_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hold_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('triage_reasons', sa.JSON(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['people.id'], name=op.f('fk_tickets_assignee_id_people')),
    sa.ForeignKeyConstraint(['requester_id'], ['people.id'], name=op.f('fk_tickets_requester_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_assignee_status', ['assignee_id', 'status'], unique=False)
        batch_op.create_index('ix_tickets_closed_at', ['closed_at'], unique=False, sqlite_where=sa.text('closed_at IS NOT NULL'), postgresql_where=sa.text('closed_at IS NOT NULL'))
        batch_op.create_index('ix_tickets_created', ['created_at'], unique=False)
        batch_op.create_index('ix_tickets_first_response_at', ['first_response_at'], unique=False, sqlite_where=sa.text('first_response_at IS NOT NULL'), postgresql_where=sa.text('first_response_at IS NOT NULL'))
        batch_op.create_index('ix_tickets_kind_category_created', ['kind', 'category', 'created_at'], unique=False)
        batch_op.create_index('ix_tickets_origin', ['origin_platform', 'origin_channel', 'origin_message'], unique=False)
        batch_op.create_index('ix_tickets_requester_status', ['requester_id', 'status'], unique=False)
        batch_op.create_index('ix_tickets_resolved_at', ['resolved_at'], unique=False, sqlite_where=sa.text('resolved_at IS NOT NULL'), postgresql_where=sa.text('resolved_at IS NOT NULL'))
        batch_op.create_index(batch_op.f('ix_tickets_sla_check_at'), ['sla_check_at'], unique=False)
        batch_op.create_index('ix_tickets_status_priority', ['status', 'priority'], unique=False)

    op.create_table('audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('old', sa.Text(), nullable=False),
    sa.Column('new', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], name=op.f('fk_audit_actor_id_people')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_audit_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit'))
    )
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.create_index('ix_audit_status_at', ['at'], unique=False, sqlite_where=sa.text("action = 'status'"), postgresql_where=sa.text("action = 'status'"))
        batch_op.create_index(batch_op.f('ix_audit_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('change_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_change_approvals_person_id_people')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_change_approvals_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_approvals')),
    sa.UniqueConstraint('ticket_id', 'round', 'person_id', name=op.f('uq_change_approvals_ticket_id'))
    )
    with op.batch_alter_table('change_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_approvals_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('change_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('mark', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_change_notices_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_notices')),
    sa.UniqueConstraint('ticket_id', 'mark', name=op.f('uq_change_notices_ticket_id'))
    )
    with op.batch_alter_table('change_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_notices_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('changes',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=100), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('risk', sa.String(length=10), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('rollback', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_changes_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_changes'))
    )
    with op.batch_alter_table('changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_changes_service'), ['service'], unique=False)
        batch_op.create_index(batch_op.f('ix_changes_state'), ['state'], unique=False)

    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('internal', sa.Boolean(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_comments_author_id_people')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_comments_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comments_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('licence_seats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('licence', sa.String(length=100), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_licence_seats_person_id_people')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_licence_seats_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_seats')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_licence_seats_ticket_id'))
    )
    with op.batch_alter_table('licence_seats', schema=None) as batch_op:
        batch_op.create_index('ix_licence_seats_held', ['licence', 'released_at'], unique=False)

    op.create_table('order_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('for_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['for_id'], ['people.id'], name=op.f('fk_order_approvals_for_id_people')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_order_approvals_person_id_people')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_order_approvals_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_approvals')),
    sa.UniqueConstraint('ticket_id', 'step', 'person_id', name=op.f('uq_order_approvals_ticket_id'))
    )
    with op.batch_alter_table('order_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_approvals_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_approvals_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_index('ix_order_approvals_waiting', ['decision', 'asked_at'], unique=False)

    op.create_table('order_tasks',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['tickets.id'], name=op.f('fk_order_tasks_order_id_tickets')),
    sa.ForeignKeyConstraint(['task_id'], ['tickets.id'], name=op.f('fk_order_tasks_task_id_tickets')),
    sa.PrimaryKeyConstraint('task_id', name=op.f('pk_order_tasks'))
    )
    with op.batch_alter_table('order_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_tasks_order_id'), ['order_id'], unique=False)

    op.create_table('orders',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=100), nullable=False),
    sa.Column('item_name', sa.String(length=200), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=30), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_orders_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_orders'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_item'), ['item'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_state'), ['state'], unique=False)

    op.create_table('outage_tickets',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('outage_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['outage_id'], ['outages.id'], name=op.f('fk_outage_tickets_outage_id_outages')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_outage_tickets_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_outage_tickets'))
    )
    with op.batch_alter_table('outage_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outage_tickets_outage_id'), ['outage_id'], unique=False)

    op.create_table('outage_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outage_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_outage_updates_author_id_people')),
    sa.ForeignKeyConstraint(['outage_id'], ['outages.id'], name=op.f('fk_outage_updates_outage_id_outages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outage_updates'))
    )
    with op.batch_alter_table('outage_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outage_updates_outage_id'), ['outage_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=320), nullable=False),
    sa.Column('thread', sa.String(length=1000), nullable=False),
    sa.Column('user_id', sa.String(length=320), nullable=False),
    sa.Column('fallback_user_id', sa.String(length=320), nullable=False),
    sa.Column('card', sa.JSON(), nullable=False),
    sa.Column('card_key', sa.String(length=200), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('ticket_key', sa.String(length=40), nullable=False),
    sa.Column('thread_audience', sa.String(length=20), nullable=False),
    sa.Column('in_thread_of', sa.String(length=200), nullable=False),
    sa.Column('quiet', sa.Boolean(), nullable=False),
    sa.Column('ahead', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.String(length=1000), nullable=False),
    sa.Column('attempt_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_outbox_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_card_key'), ['card_key'], unique=False)
        batch_op.create_index('ix_outbox_channel', ['platform', 'channel', 'status', 'sent_at'], unique=False)
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_outbox_queue', ['platform', 'channel', 'user_id', 'ahead', 'id'], unique=False, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))

    op.create_table('problem_incidents',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['tickets.id'], name=op.f('fk_problem_incidents_incident_id_tickets')),
    sa.ForeignKeyConstraint(['problem_id'], ['tickets.id'], name=op.f('fk_problem_incidents_problem_id_tickets')),
    sa.PrimaryKeyConstraint('incident_id', name=op.f('pk_problem_incidents'))
    )
    with op.batch_alter_table('problem_incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_incidents_problem_id'), ['problem_id'], unique=False)

    op.create_table('recurring_clusters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('anchor_ticket_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['anchor_ticket_id'], ['tickets.id'], name=op.f('fk_recurring_clusters_anchor_ticket_id_tickets')),
    sa.ForeignKeyConstraint(['problem_id'], ['tickets.id'], name=op.f('fk_recurring_clusters_problem_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recurring_clusters')),
    sa.UniqueConstraint('anchor_ticket_id', name=op.f('uq_recurring_clusters_anchor_ticket_id'))
    )
    op.create_table('sla_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('clock', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('mark', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_sla_events_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_events')),
    sa.UniqueConstraint('ticket_id', 'clock', 'kind', 'mark', name=op.f('uq_sla_events_ticket_id'))
    )
    with op.batch_alter_table('sla_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sla_events_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('storm_members',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=320), nullable=False),
    sa.Column('storm', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_storm_members_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('ticket_id', 'platform', 'channel', name=op.f('pk_storm_members'))
    )
    with op.batch_alter_table('storm_members', schema=None) as batch_op:
        batch_op.create_index('ix_storm_members_place', ['platform', 'channel', 'storm', 'ticket_id'], unique=False)

    op.create_table('ticket_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('original', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_ticket_files_author_id_people')),
    sa.ForeignKeyConstraint(['digest'], ['blobs.digest'], name=op.f('fk_ticket_files_digest_blobs')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_files_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_files'))
    )
    with op.batch_alter_table('ticket_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_files_digest'), ['digest'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_files_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_ratings',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_ticket_ratings_person_id_people')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_ratings_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_ticket_ratings'))
    )
    with op.batch_alter_table('ticket_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_ratings_at'), ['at'], unique=False)

    op.create_table('ticket_suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_suggestions_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_suggestions')),
    sa.UniqueConstraint('ticket_id', 'slug', name=op.f('uq_ticket_suggestions_ticket_id'))
    )
    with op.batch_alter_table('ticket_suggestions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_suggestions_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_threads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=320), nullable=False),
    sa.Column('thread', sa.String(length=1000), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_threads_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_threads')),
    sa.UniqueConstraint('platform', 'channel', 'thread', name=op.f('uq_ticket_threads_platform'))
    )
    with op.batch_alter_table('ticket_threads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_threads_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('triage_examples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('impact', sa.Integer(), nullable=False),
    sa.Column('urgency', sa.Integer(), nullable=False),
    sa.Column('corrected', sa.String(length=60), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_triage_examples_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_triage_examples')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('triage_examples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_triage_examples_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('recurring_members',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cluster_id'], ['recurring_clusters.id'], name=op.f('fk_recurring_members_cluster_id_recurring_clusters')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_recurring_members_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_recurring_members'))
    )
    with op.batch_alter_table('recurring_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recurring_members_cluster_id'), ['cluster_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('recurring_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recurring_members_cluster_id'))

    op.drop_table('recurring_members')
    with op.batch_alter_table('triage_examples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_triage_examples_ticket_id'))

    op.drop_table('triage_examples')
    with op.batch_alter_table('ticket_threads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_threads_ticket_id'))

    op.drop_table('ticket_threads')
    with op.batch_alter_table('ticket_suggestions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_suggestions_ticket_id'))

    op.drop_table('ticket_suggestions')
    with op.batch_alter_table('ticket_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_ratings_at'))

    op.drop_table('ticket_ratings')
    with op.batch_alter_table('ticket_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_files_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_files_digest'))

    op.drop_table('ticket_files')
    with op.batch_alter_table('storm_members', schema=None) as batch_op:
        batch_op.drop_index('ix_storm_members_place')

    op.drop_table('storm_members')
    with op.batch_alter_table('sla_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sla_events_ticket_id'))

    op.drop_table('sla_events')
    op.drop_table('recurring_clusters')
    with op.batch_alter_table('problem_incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_incidents_problem_id'))

    op.drop_table('problem_incidents')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_queue', postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
        batch_op.drop_index('ix_outbox_due')
        batch_op.drop_index('ix_outbox_channel')
        batch_op.drop_index(batch_op.f('ix_outbox_card_key'))

    op.drop_table('outbox')
    with op.batch_alter_table('outage_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outage_updates_outage_id'))

    op.drop_table('outage_updates')
    with op.batch_alter_table('outage_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outage_tickets_outage_id'))

    op.drop_table('outage_tickets')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_state'))
        batch_op.drop_index(batch_op.f('ix_orders_item'))

    op.drop_table('orders')
    with op.batch_alter_table('order_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_tasks_order_id'))

    op.drop_table('order_tasks')
    with op.batch_alter_table('order_approvals', schema=None) as batch_op:
        batch_op.drop_index('ix_order_approvals_waiting')
        batch_op.drop_index(batch_op.f('ix_order_approvals_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_order_approvals_person_id'))

    op.drop_table('order_approvals')
    with op.batch_alter_table('licence_seats', schema=None) as batch_op:
        batch_op.drop_index('ix_licence_seats_held')

    op.drop_table('licence_seats')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comments_ticket_id'))

    op.drop_table('comments')
    with op.batch_alter_table('changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_changes_state'))
        batch_op.drop_index(batch_op.f('ix_changes_service'))

    op.drop_table('changes')
    with op.batch_alter_table('change_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_notices_ticket_id'))

    op.drop_table('change_notices')
    with op.batch_alter_table('change_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_approvals_ticket_id'))

    op.drop_table('change_approvals')
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_ticket_id'))
        batch_op.drop_index('ix_audit_status_at', sqlite_where=sa.text("action = 'status'"), postgresql_where=sa.text("action = 'status'"))

    op.drop_table('audit')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_status_priority')
        batch_op.drop_index(batch_op.f('ix_tickets_sla_check_at'))
        batch_op.drop_index('ix_tickets_resolved_at', sqlite_where=sa.text('resolved_at IS NOT NULL'), postgresql_where=sa.text('resolved_at IS NOT NULL'))
        batch_op.drop_index('ix_tickets_requester_status')
        batch_op.drop_index('ix_tickets_origin')
        batch_op.drop_index('ix_tickets_kind_category_created')
        batch_op.drop_index('ix_tickets_first_response_at', sqlite_where=sa.text('first_response_at IS NOT NULL'), postgresql_where=sa.text('first_response_at IS NOT NULL'))
        batch_op.drop_index('ix_tickets_created')
        batch_op.drop_index('ix_tickets_closed_at', sqlite_where=sa.text('closed_at IS NOT NULL'), postgresql_where=sa.text('closed_at IS NOT NULL'))
        batch_op.drop_index('ix_tickets_assignee_status')

    op.drop_table('tickets')
    op.drop_table('sla_digests')
    with op.batch_alter_table('service_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_subscriptions_service'))

    op.drop_table('service_subscriptions')
    with op.batch_alter_table('people_directory', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_directory_manager_id'))

    op.drop_table('people_directory')
    with op.batch_alter_table('people_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_audit_person_id'))

    op.drop_table('people_audit')
    with op.batch_alter_table('outages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outages_service'))

    op.drop_table('outages')
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identities_person_id'))

    op.drop_table('identities')
    op.drop_table('triage_state')
    with op.batch_alter_table('sign_in_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_codes_user_id'))

    op.drop_table('sign_in_codes')
    op.drop_table('runs')
    with op.batch_alter_table('report_trail_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_trail_checks_at'))

    op.drop_table('report_trail_checks')
    op.drop_table('report_tallies')
    op.drop_table('report_rolled_days')
    op.drop_table('report_digests')
    op.drop_table('read_marks')
    op.drop_table('processed_events')
    op.drop_table('people')
    with op.batch_alter_table('pending_events', schema=None) as batch_op:
        batch_op.drop_index('ix_pending_events_ready')

    op.drop_table('pending_events')
    with op.batch_alter_table('link_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_codes_user_id'))

    op.drop_table('link_codes')
    with op.batch_alter_table('kb_phrasings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_phrasings_slug'))

    op.drop_table('kb_phrasings')
    with op.batch_alter_table('kb_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_feedback_slug'))

    op.drop_table('kb_feedback')
    with op.batch_alter_table('kb_articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_articles_changed_at'))

    op.drop_table('kb_articles')
    op.drop_table('integration_tokens')
    with op.batch_alter_table('form_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_drafts_created_at'))

    op.drop_table('form_drafts')
    op.drop_table('event_feeds')
    with op.batch_alter_table('card_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_card_messages_place')

    op.drop_table('card_messages')
    with op.batch_alter_table('blobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blobs_stored_at'))

    op.drop_table('blobs')
