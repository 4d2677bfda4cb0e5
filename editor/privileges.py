"""Who may do what in the editor, as one table: each role's privileges, the page each role
lands on, and what a refused visitor is told.

Every route of the editor declares the privilege it needs (`rabkor.editor.access.route`),
and a test walks every route with every role, so a page cannot be added without saying
who may see it.
"""

from __future__ import annotations

import enum

from rabkor.core.store.models import Role
from rabkor.editor.i18n import N_


class Privilege(enum.StrEnum):
    ACCOUNT = "account"  # one's own page: every signed-in user
    DECIDE = "decide"  # the queue and the decisions: approve, reject, reopen
    TRANSLATE = "translate"  # write, claim and release translations
    REVIEW = "review"  # accept or return volunteers' translations
    MANAGE_USERS = "manage users"  # invite, change roles, disable, reset passwords
    MANAGE_RULES = "manage rules"  # the desk's rules and its vocabularies: reasons, topics
    MANAGE_SOURCES = "manage sources"  # add, classify, enable and disable sources; categories
    READ_STATS = "read statistics"  # the readership report


GRANTS: dict[Role, frozenset[Privilege]] = {
    Role.ADMIN: frozenset(Privilege),
    Role.EDITOR: frozenset({Privilege.ACCOUNT, Privilege.DECIDE, Privilege.TRANSLATE,
                            Privilege.REVIEW, Privilege.READ_STATS}),
    Role.TRANSLATOR: frozenset({Privilege.ACCOUNT, Privilege.TRANSLATE}),
    Role.CORRESPONDENT: frozenset({Privilege.ACCOUNT}),
}

# the route each role is sent to after logging in and offered from a refusal
LANDING: dict[Role, str] = {
    Role.ADMIN: "queue_list",
    Role.EDITOR: "queue_list",
    Role.TRANSLATOR: "translation_list",
    Role.CORRESPONDENT: "my_submissions",
}

# what a refused visitor is told (translated where shown)
REFUSAL: dict[Privilege, str] = {
    Privilege.ACCOUNT: N_("Log in to see your account."),
    Privilege.DECIDE: N_("The editorial queue is open to editors and administrators only; ask "
                         "an administrator if you need access."),
    Privilege.TRANSLATE: N_("Translation pages are open to translators, editors and "
                            "administrators; ask an administrator if you want to translate."),
    Privilege.REVIEW: N_("Reviewing volunteers' translations is for editors and administrators."),
    Privilege.MANAGE_USERS: N_("Managing people is for administrators."),
    Privilege.MANAGE_RULES: N_("The desk's rules, reasons and topics are kept by administrators."),
    Privilege.MANAGE_SOURCES: N_("Adding and classifying sources is for administrators; "
                                 "editors see the directory."),
    Privilege.READ_STATS: N_("The readership statistics are for editors and administrators."),
}

# what the account page says each privilege lets one do (translated where shown)
ABLE: dict[Privilege, str] = {
    Privilege.ACCOUNT: N_("see this page"),
    Privilege.DECIDE: N_("approve and reject items in the queue"),
    Privilege.TRANSLATE: N_("write and correct translations"),
    Privilege.REVIEW: N_("review volunteers' translations"),
    Privilege.MANAGE_USERS: N_("manage people"),
    Privilege.MANAGE_RULES: N_("keep the desk's rules, rejection reasons and topics"),
    Privilege.MANAGE_SOURCES: N_("add and classify sources and keep their categories"),
    Privilege.READ_STATS: N_("read the readership statistics"),
}


def may(role: Role | str | None, privilege: Privilege) -> bool:
    try:
        return privilege in GRANTS[Role(role)]
    except ValueError:  # no role: not signed in, or a role this version does not know
        return False


def landing(role: Role | str | None) -> str:
    try:
        return LANDING[Role(role)]
    except ValueError:
        return "login_form"
