"""On PostgreSQL, issued invoices and their lines cannot change through SQL either.

An invoice that is not a draft may only change status (issued -> paid | void), paid_at,
voided_at and void_reason; it cannot be deleted. Lines may be written only while their
invoice is a draft. The ORM guards (Invoice.save, InvoiceLine.save) say the same.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION billing_invoice_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'billing: invoice % is %, it cannot be deleted', OLD.id, OLD.status
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' THEN
        IF (to_jsonb(NEW) - 'status' - 'paid_at' - 'voided_at' - 'void_reason')
           IS DISTINCT FROM
           (to_jsonb(OLD) - 'status' - 'paid_at' - 'voided_at' - 'void_reason') THEN
            RAISE EXCEPTION 'billing: invoice % is issued, its content cannot change', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.status <> OLD.status AND NOT (OLD.status = 'issued' AND NEW.status IN ('paid', 'void')) THEN
            RAISE EXCEPTION 'billing: invoice % cannot go from % to %', OLD.id, OLD.status, NEW.status
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_invoice_guard
    BEFORE UPDATE OR DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_guard();

CREATE OR REPLACE FUNCTION billing_invoiceline_guard() RETURNS trigger AS $$
DECLARE
    invoice_status text;
    line record;
BEGIN
    IF TG_OP = 'DELETE' THEN line := OLD; ELSE line := NEW; END IF;
    SELECT status INTO invoice_status FROM billing_invoice WHERE id = line.invoice_id;
    IF invoice_status IS DISTINCT FROM 'draft' THEN
        RAISE EXCEPTION 'billing: invoice % is %, its lines cannot change', line.invoice_id, invoice_status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.invoice_id <> NEW.invoice_id THEN
        SELECT status INTO invoice_status FROM billing_invoice WHERE id = OLD.invoice_id;
        IF invoice_status IS DISTINCT FROM 'draft' THEN
            RAISE EXCEPTION 'billing: invoice % is %, its lines cannot change', OLD.invoice_id, invoice_status
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_invoiceline_guard
    BEFORE INSERT OR UPDATE OR DELETE ON billing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_guard();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS billing_invoiceline_guard ON billing_invoiceline;
DROP FUNCTION IF EXISTS billing_invoiceline_guard();
DROP TRIGGER IF EXISTS billing_invoice_guard ON billing_invoice;
DROP FUNCTION IF EXISTS billing_invoice_guard();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_seed_tax_rates_and_series")]

    operations = [migrations.RunPython(forward, backward)]
