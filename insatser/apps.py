from django.apps import AppConfig


class InsatserConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "insatser"
    verbose_name = "Insatser"

    def ready(self) -> None:
        # The förbund budget's "insatser" line is derived from the insats budgets and costs;
        # forbund never imports insatser, so the figures are provided through its extension point.
        from forbund.extensions import register_insats_budget, register_insats_costs

        from .selectors import insats_budget_total, insats_costs_by_month

        register_insats_budget(insats_budget_total)
        register_insats_costs(insats_costs_by_month)
