from django.db import migrations

# The förbund's change rows (forbund.models.Forbundsandring, forbund 0007) for the insatser's
# own figures: an insats, its yearly budgets and its costs count in the förbund's budget, eget
# kapital, cost per insats and cost per deltagare.
TABLES = ["insatser_insats", "insatser_insatsbudget", "insatser_insatskostnad"]

SQL = "".join(
    f"CREATE TRIGGER {t}_forbundsandring AFTER INSERT OR UPDATE OR DELETE ON {t}\n"
    "  FOR EACH ROW EXECUTE FUNCTION forbund_forbundsandring();\n"
    for t in TABLES
)
REVERSE_SQL = "".join(f"DROP TRIGGER IF EXISTS {t}_forbundsandring ON {t};\n" for t in TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("forbund", "0007_forbundsandring"),
        ("insatser", "0004_audit_trail"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
