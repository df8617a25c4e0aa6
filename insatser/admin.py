"""Admin for operators (code lists); users work in the app's own pages, never here."""

from django.contrib import admin

from .models import Kategori, Malgrupp, Metod


@admin.register(Kategori)
class KategoriAdmin(admin.ModelAdmin):
    list_display = ("kod", "namn", "inriktning", "ordning")


@admin.register(Malgrupp, Metod)
class KodlistaAdmin(admin.ModelAdmin):
    list_display = ("kod", "namn", "ordning")
