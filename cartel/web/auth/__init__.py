"""Accounts: log in, log out, roles."""

from cartel.web.auth.views import bp, login_manager_setup, require_role

__all__ = ["bp", "login_manager_setup", "require_role"]
