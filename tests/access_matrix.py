"""Who may use each route: the expected table for tests/test_access_matrix.py.

One entry per (method, rule) of the URL map: the roles that get through (see the test's
docstring for what "allowed" means). Object-scoped routes are judged on the test's scene:
every object is at site A and every doctor-owned row belongs to the ``doctor`` role, so
"doctor" below means "the doctor who owns it"; tests/test_object_access.py covers the other
doctor, the agency outside its tier and the coordinator of the other site in more depth.

A new route fails the matrix until it is added here. Keep the note short: why the set is
what it is when the route name does not say.
"""
from dataclasses import dataclass

ANON, DOCTOR, COORD_OTHER, COORD, APPROVER, STAFFING, EXEC, AGENCY, PAYROLL, ADMIN = (
    "anonymous", "doctor", "coordinator_other_site", "coordinator", "approver", "staffing", "executive", "agency",
    "payroll", "admin")
ROLES = (ANON, DOCTOR, COORD_OTHER, COORD, APPROVER, STAFFING, EXEC, AGENCY, PAYROLL, ADMIN)

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANON}
NOBODY = frozenset()


def only(*roles):
    return frozenset(roles)


COORDINATORS = only(COORD, COORD_OTHER)
REPORT_READERS = only(COORD, COORD_OTHER, APPROVER, EXEC, ADMIN)   # own sites' rows for coordinators/approvers
TRUST_READERS = only(DOCTOR, COORD, APPROVER, EXEC, PAYROLL, ADMIN)  # who sees a site-A row


@dataclass(frozen=True)
class Access:
    roles: frozenset
    note: str = ""
    # Denied here, but the role may do this to other objects (the other site's, an agency locum's, one in
    # another state): its input may be judged before the object. Every other denied role is refused
    # whatever it sends (tests/test_access_matrix.py sends it junk too).
    scoped: frozenset = frozenset()


# Routes left out of the matrix, and where they are tested instead.
EXCLUDED = {
    "/static/<path:filename>": "public static files",
    "/api/v1/openapi.json": "the public API description",
    "/healthz": "public liveness probe",
    "/manifest.webmanifest": "the public web app manifest (tests/test_pwa.py)",
    "/sw.js": "the public service worker script (tests/test_pwa.py)",
    "/offline": "the public page the service worker shows without a connection (tests/test_pwa.py)",
    "/sms/inbound": "Twilio webhook, signature-checked (tests/notifications: unsigned → 403)",
    "/sms/status": "Twilio webhook, signature-checked (tests/notifications: unsigned → 403)",
    "/calendar/<token>.ics": "secret-URL calendar feed (tests/test_object_access.py)",
}

A = Access
EXPECTED = {
    # --- sign-in, home, own data --------------------------------------------------------------------
    ("GET", "/login"): A(EVERYONE),
    ("POST", "/login"): A(EVERYONE, "the form itself; a wrong password is 401"),
    ("POST", "/logout"): A(EVERYONE, "redirects to the login page (not asking to log in)"),
    ("GET", "/"): A(SIGNED_IN, "one home page per role"),
    ("GET", "/me/data"): A(SIGNED_IN, "only the caller's own data"),
    ("GET", "/account/password"): A(SIGNED_IN, "the caller's own password"),
    ("POST", "/account/password"): A(SIGNED_IN, "the caller's own password (an empty form is 422)"),
    ("GET", "/me/data/download"): A(SIGNED_IN, "only the caller's own data"),
    ("POST", "/api/v1/auth/token"): A(EVERYONE, "public: the credentials decide"),
    ("DELETE", "/api/v1/auth/token"): A(SIGNED_IN, "revokes the caller's own token"),
    ("POST", "/api/v1/auth/password-reset"): A(EVERYONE, "public: always 202, whoever asks"),
    ("POST", "/api/v1/auth/password-reset/confirm"): A(EVERYONE, "public: the texted code decides (wrong: 422)"),
    ("GET", "/password-reset"): A(EVERYONE),
    ("POST", "/password-reset"): A(EVERYONE, "public: the same answer whoever asks"),
    ("GET", "/password-reset/code"): A(EVERYONE),
    ("POST", "/password-reset/code"): A(EVERYONE, "public: the texted code decides (an empty form is 422)"),
    ("GET", "/api/v1/me/data"): A(SIGNED_IN, "only the caller's own data"),

    # --- reference data (admin writes, everyone signed in reads) -----------------------------------
    ("GET", "/api/v1/sites"): A(SIGNED_IN),
    ("POST", "/api/v1/sites"): A(only(ADMIN)),
    ("PATCH", "/api/v1/sites/<int:site_id>"): A(only(ADMIN)),
    ("GET", "/api/v1/sites/<int:site_id>/policy"): A(only(ADMIN)),
    ("PATCH", "/api/v1/sites/<int:site_id>/policy"): A(only(ADMIN)),
    ("GET", "/api/v1/departments"): A(SIGNED_IN),
    ("POST", "/api/v1/departments"): A(only(ADMIN)),
    ("GET", "/api/v1/grades"): A(SIGNED_IN),
    ("POST", "/api/v1/grades"): A(only(ADMIN)),
    ("GET", "/api/v1/agencies"): A(only(COORD, COORD_OTHER, APPROVER, EXEC, ADMIN)),
    ("POST", "/api/v1/agencies"): A(only(ADMIN)),
    ("GET", "/admin/sites"): A(only(ADMIN)),
    ("POST", "/admin/sites"): A(only(ADMIN)),
    ("GET", "/admin/sites/<int:site_id>"): A(only(ADMIN)),
    ("POST", "/admin/sites/<int:site_id>"): A(only(ADMIN)),
    ("GET", "/admin/sites/<int:site_id>/policy"): A(only(ADMIN)),
    ("POST", "/admin/sites/<int:site_id>/policy"): A(only(ADMIN)),
    ("GET", "/admin/departments"): A(only(ADMIN)),
    ("POST", "/admin/departments"): A(only(ADMIN)),
    ("GET", "/admin/grades"): A(only(ADMIN)),
    ("POST", "/admin/grades"): A(only(ADMIN)),
    ("GET", "/admin/agencies"): A(only(ADMIN)),
    ("POST", "/admin/agencies"): A(only(ADMIN)),

    # --- people, documents, data protection ---------------------------------------------------------
    ("GET", "/api/v1/users"): A(only(ADMIN)),
    ("POST", "/api/v1/users"): A(only(ADMIN)),
    ("GET", "/api/v1/users/<int:user_id>"): A(only(DOCTOR, ADMIN), "user = the doctor: themselves or an admin; "
                                                                   "anyone else 404"),
    ("PATCH", "/api/v1/users/<int:user_id>"): A(only(ADMIN)),
    ("GET", "/api/v1/users/<int:user_id>/documents"): A(only(DOCTOR, ADMIN), "themselves or an admin; else 404"),
    ("DELETE", "/api/v1/users/<int:user_id>/documents/<int:document_id>"): A(only(ADMIN)),
    ("POST", "/api/v1/users/<int:user_id>/documents"): A(only(ADMIN)),
    ("POST", "/api/v1/users/<int:user_id>/anonymise"): A(only(ADMIN), "409 here: the doctor has a future booking"),
    ("GET", "/admin/users"): A(only(ADMIN)),
    ("POST", "/admin/users"): A(only(ADMIN)),
    ("GET", "/admin/users/<int:user_id>"): A(only(ADMIN)),
    ("POST", "/admin/users/<int:user_id>/active"): A(only(ADMIN)),
    ("POST", "/admin/users/<int:user_id>/documents"): A(only(ADMIN)),
    ("POST", "/admin/users/<int:user_id>/details"): A(only(ADMIN)),
    ("POST", "/admin/users/<int:user_id>/documents/<int:document_id>/remove"): A(only(ADMIN)),
    ("GET", "/admin/users/<int:user_id>/anonymise"): A(only(ADMIN)),
    ("POST", "/admin/users/<int:user_id>/anonymise"): A(only(ADMIN)),
    ("GET", "/admin/audit"): A(only(ADMIN)),
    ("GET", "/admin/messages"): A(only(ADMIN)),
    ("POST", "/admin/messages/<int:message_id>/retry"): A(only(ADMIN)),
    ("GET", "/api/v1/messages"): A(only(ADMIN)),
    ("POST", "/api/v1/messages/<int:message_id>/retry"): A(only(ADMIN)),
    ("GET", "/profile/alerts"): A(only(DOCTOR)),
    ("POST", "/profile/alerts"): A(only(DOCTOR)),
    ("POST", "/profile/alerts/test"): A(only(DOCTOR)),

    # --- rate cards and rate violations ---------------------------------------------------------------
    ("GET", "/api/v1/rate-cards"): A(SIGNED_IN, "published rates are not secret inside the trust"),
    ("POST", "/api/v1/rate-cards"): A(only(ADMIN)),
    ("GET", "/api/v1/rate-cards/current"): A(SIGNED_IN),
    ("GET", "/api/v1/rate-cards/<int:card_id>"): A(SIGNED_IN),
    ("GET", "/api/v1/rate-cards/preview"): A(only(COORD, COORD_OTHER, APPROVER, EXEC, ADMIN),
                                             "prices a grade and times, no site"),
    ("GET", "/rates"): A(only(ADMIN)),
    ("GET", "/rates/history"): A(only(ADMIN)),
    ("GET", "/rates/new"): A(only(ADMIN)),
    ("POST", "/rates/new"): A(only(ADMIN)),
    ("GET", "/rates/<int:card_id>"): A(only(ADMIN)),
    ("GET", "/rates/<int:card_id>.csv"): A(only(ADMIN)),
    ("GET", "/rates/preview"): A(only(COORD, ADMIN), "department of site A: the other site's coordinator 403"),
    ("GET", "/api/v1/rate-violations"): A(only(APPROVER, EXEC), "approvers: their sites; executives: all"),
    ("GET", "/api/v1/rate-violations/<int:violation_id>"): A(only(COORD, APPROVER, EXEC),
                                                             "site-scoped; another site's is 404"),
    ("POST", "/api/v1/rate-violations/<int:violation_id>/approve"): A(only(APPROVER, EXEC),
                                                                      "required role 'approver' or higher"),
    ("POST", "/api/v1/rate-violations/<int:violation_id>/reject"): A(only(APPROVER, EXEC)),
    ("POST", "/api/v1/rate-violations/<int:violation_id>/revise"): A(only(COORD),
                                                                     "409 here: not rejected yet; other site 404"),
    ("GET", "/rate-violations"): A(only(APPROVER, EXEC)),
    ("POST", "/rate-violations/<int:violation_id>/decide"): A(only(APPROVER, EXEC)),
    ("GET", "/rate-violations/returned"): A(COORDINATORS, "each sees their own sites' returned rates"),
    ("POST", "/rate-violations/<int:violation_id>/revise"): A(only(COORD), "other site 404"),

    # --- shifts and bookings ------------------------------------------------------------------------------
    ("GET", "/api/v1/shifts"): A(SIGNED_IN, "each sees their own slice (agency: its tier only)"),
    ("POST", "/api/v1/shifts"): A(only(COORD, ADMIN), "department at site A"),
    ("GET", "/api/v1/shifts/<int:shift_id>"): A(TRUST_READERS, "an open shift: not the other site's coordinator, "
                                                               "not an agency before release (404)"),
    ("PATCH", "/api/v1/shifts/<int:shift_id>"): A(only(COORD, ADMIN), "other site 404"),
    ("POST", "/api/v1/shifts/<int:shift_id>/claim"): A(only(DOCTOR)),
    ("POST", "/api/v1/shifts/<int:shift_id>/assign"): A(only(COORD, ADMIN), "other site 404"),
    ("POST", "/api/v1/shifts/<int:shift_id>/cancel"): A(only(DOCTOR, COORD, ADMIN),
                                                        "a booked shift: its doctor cancels the booking, the "
                                                        "site's coordinator the shift; anyone else 404"),
    ("POST", "/api/v1/shifts/<int:shift_id>/reopen"): A(only(COORD, ADMIN), "409 here: not cancelled"),
    ("GET", "/api/v1/shifts/<int:shift_id>/candidates"): A(only(COORD, ADMIN), "other site 404"),
    ("POST", "/api/v1/shifts/<int:shift_id>/invite"): A(only(COORD, ADMIN), "other site 404"),
    ("POST", "/api/v1/shifts/import"): A(only(COORD, COORD_OTHER, ADMIN),
                                         "the other site's coordinator gets 422: each line of another site is "
                                         "refused, nothing imported"),
    ("GET", "/api/v1/bookings"): A(SIGNED_IN, "the caller's own bookings only"),
    ("GET", "/api/v1/bookings/<int:booking_id>"): A(only(DOCTOR), "the owner only; anyone else 404"),
    ("GET", "/shifts"): A(only(DOCTOR)),
    ("GET", "/shifts/<int:shift_id>"): A(only(DOCTOR)),
    ("POST", "/shifts/<int:shift_id>/claim"): A(only(DOCTOR)),
    ("GET", "/my-shifts"): A(only(DOCTOR)),
    ("POST", "/my-shifts/<int:booking_id>/cancel"): A(only(DOCTOR), "the owner only"),
    ("GET", "/coordinator/shifts"): A(only(COORD, COORD_OTHER, ADMIN), "each sees their own sites"),
    ("GET", "/coordinator/shifts/new"): A(only(COORD, COORD_OTHER, ADMIN)),
    ("POST", "/coordinator/shifts/new"): A(only(COORD, ADMIN), "department at site A: other site 403"),
    ("GET", "/coordinator/shifts/upload"): A(only(COORD, COORD_OTHER, ADMIN)),
    ("GET", "/coordinator/shifts/upload/template.csv"): A(only(COORD, COORD_OTHER, ADMIN), "their own departments"),
    ("POST", "/coordinator/shifts/upload"): A(only(COORD, COORD_OTHER, ADMIN),
                                              "as the API import: other site's lines refused (422)"),
    ("GET", "/coordinator/shifts/<int:shift_id>"): A(only(COORD, ADMIN), "other site 404"),
    ("GET", "/coordinator/shifts/<int:shift_id>/edit"): A(only(COORD, ADMIN), "other site 404"),
    ("POST", "/coordinator/shifts/<int:shift_id>/edit"): A(only(COORD, ADMIN), "other site 404"),
    ("POST", "/coordinator/shifts/<int:shift_id>/assign"): A(only(COORD, ADMIN), "other site 404"),
    ("POST", "/coordinator/shifts/<int:shift_id>/cancel"): A(only(COORD, ADMIN), "other site 404"),
    ("POST", "/coordinator/shifts/<int:shift_id>/reopen"): A(only(COORD, ADMIN), "other site 404"),
    ("POST", "/coordinator/shifts/<int:shift_id>/invite"): A(only(COORD, ADMIN), "other site 404"),

    # --- agency cascade -------------------------------------------------------------------------------------
    ("POST", "/api/v1/shifts/<int:shift_id>/cascade"): A(only(COORD), "other site 403"),
    ("GET", "/api/v1/cascade-requests"): A(only(COORD, COORD_OTHER, APPROVER, EXEC, ADMIN), "site-scoped lists"),
    ("POST", "/api/v1/cascade-requests/<int:request_id>/approve"): A(only(APPROVER)),
    ("POST", "/api/v1/cascade-requests/<int:request_id>/reject"): A(only(APPROVER)),
    ("GET", "/api/v1/agency/shifts"): A(only(AGENCY), "its tier only"),
    ("GET", "/api/v1/agency/notices"): A(only(AGENCY), "its own notices"),
    ("POST", "/api/v1/shifts/<int:shift_id>/agency-offers"): A(only(AGENCY), "a shift released to its tier"),
    ("GET", "/api/v1/agency-offers"): A(only(AGENCY, COORD, COORD_OTHER, EXEC, ADMIN), "scoped lists"),
    ("POST", "/api/v1/agency-offers/<int:offer_id>/accept"): A(only(COORD), "other site 404"),
    ("POST", "/api/v1/agency-offers/<int:offer_id>/approve"): A(only(EXEC), "409 here: not awaiting approval"),
    ("POST", "/api/v1/agency-offers/<int:offer_id>/decline"): A(only(COORD), "an offered offer: the site's "
                                                                            "coordinator (executives decline only "
                                                                            "those awaiting them); other site 404",
                                                                            scoped=only(EXEC)),
    ("GET", "/api/v1/reports/agency-return"): A(only(EXEC, ADMIN)),
    ("GET", "/coordinator/shifts/<int:shift_id>/cascade"): A(only(COORD), "other site 403"),
    ("POST", "/coordinator/shifts/<int:shift_id>/cascade"): A(only(COORD), "other site 403"),
    ("GET", "/coordinator/agency-offers"): A(COORDINATORS, "each sees their own sites"),
    ("POST", "/coordinator/agency-offers/<int:offer_id>/<any(accept, decline):action>"): A(only(COORD),
                                                                                          "other site 403"),
    ("GET", "/cascade-requests"): A(only(APPROVER)),
    ("POST", "/cascade-requests/<int:request_id>/<any(approve, reject):action>"): A(only(APPROVER)),
    ("GET", "/agency"): A(only(AGENCY)),
    ("GET", "/agency/shifts/<int:shift_id>/offer"): A(only(AGENCY), "a shift released to its tier"),
    ("POST", "/agency/shifts/<int:shift_id>/offer"): A(only(AGENCY)),
    ("GET", "/agency-approvals"): A(only(EXEC)),
    ("GET", "/agency-approvals/<int:offer_id>"): A(only(EXEC)),
    ("POST", "/agency-approvals/<int:offer_id>"): A(only(EXEC)),
    ("GET", "/agency-return"): A(only(EXEC, ADMIN)),
    ("GET", "/agency-return.csv"): A(only(EXEC, ADMIN)),

    # --- timesheets and payroll --------------------------------------------------------------------------
    ("POST", "/api/v1/timesheets"): A(only(DOCTOR), "a bank booking: its doctor only (coordinators enter agency "
                                                    "locums' timesheets)", scoped=COORDINATORS),
    ("GET", "/api/v1/timesheets"): A(SIGNED_IN, "each sees their own slice"),
    ("GET", "/api/v1/timesheets/<int:ts_id>"): A(TRUST_READERS, "owner, the site's approvers and coordinators, "
                                                                "payroll, leadership; anyone else 404"),
    ("PATCH", "/api/v1/timesheets/<int:ts_id>"): A(only(DOCTOR), "409 here: amend only after a query; "
                                                                 "coordinators amend agency locums' timesheets",
                                                   scoped=COORDINATORS),
    ("POST", "/api/v1/timesheets/<int:ts_id>/approve"): A(only(APPROVER), "the site's approver, not the doctor"),
    ("POST", "/api/v1/timesheets/<int:ts_id>/query"): A(only(APPROVER)),
    ("POST", "/api/v1/timesheets/<int:ts_id>/reject"): A(only(APPROVER)),
    ("POST", "/api/v1/timesheets/bulk-approve"): A(only(APPROVER)),
    ("GET", "/timesheets"): A(only(DOCTOR, COORD, COORD_OTHER, APPROVER), "approvers and coordinators are sent on "
                                                                          "to their own timesheet page"),
    ("GET", "/timesheets/new"): A(only(DOCTOR), "a bank booking: its doctor only"),
    ("POST", "/timesheets/new"): A(only(DOCTOR), "a bank booking: its doctor only"),
    ("GET", "/timesheets/<int:ts_id>"): A(TRUST_READERS, "as the API"),
    ("POST", "/timesheets/<int:ts_id>/amend"): A(only(DOCTOR), "the site's coordinator 403 (not theirs to amend)",
                                                 scoped=COORDINATORS),
    ("POST", "/timesheets/<int:ts_id>/<any(approve, reject, query):action>"): A(only(APPROVER)),
    ("POST", "/timesheets/bulk-approve"): A(only(APPROVER)),
    ("GET", "/timesheets/queue"): A(only(APPROVER)),
    ("GET", "/timesheets/agency"): A(COORDINATORS, "each sees their own sites"),
    ("POST", "/api/v1/payroll-exports"): A(only(PAYROLL), "409 here: nothing new"),
    ("GET", "/api/v1/payroll-exports"): A(only(PAYROLL, ADMIN)),
    ("GET", "/api/v1/payroll-exports/<int:batch_id>"): A(only(PAYROLL, ADMIN)),
    ("GET", "/api/v1/payroll-exports/<int:batch_id>/file"): A(only(PAYROLL, ADMIN)),
    ("GET", "/api/v1/payroll-exports/<int:batch_id>/agency-file"): A(only(PAYROLL, ADMIN)),
    ("GET", "/api/v1/payroll-exports/<int:batch_id>/late-file"): A(only(PAYROLL, ADMIN)),
    ("GET", "/payroll"): A(only(PAYROLL, ADMIN)),
    ("POST", "/payroll/exports"): A(only(PAYROLL)),
    ("GET", "/payroll/exports/<int:batch_id>"): A(only(PAYROLL, ADMIN)),
    ("GET", "/payroll/exports/<int:batch_id>/<any(esr, agency, late):kind>.csv"): A(only(PAYROLL, ADMIN)),

    # --- reports ------------------------------------------------------------------------------------------
    ("GET", "/api/v1/reports/breaches"): A(REPORT_READERS, "coordinators and approvers: their sites' rows"),
    ("GET", "/api/v1/reports/fill-rates"): A(REPORT_READERS, "coordinators and approvers: their sites' rows"),
    ("GET", "/api/v1/reports/spend"): A(REPORT_READERS, "coordinators and approvers: their sites' rows"),
    ("GET", "/api/v1/reports/forecast"): A(REPORT_READERS, "coordinators and approvers: their sites' rows"),
    ("GET", "/reports/"): A(REPORT_READERS),
    ("GET", "/reports/breaches"): A(REPORT_READERS),
    ("GET", "/reports/fill-rates"): A(REPORT_READERS),
    ("GET", "/reports/spend"): A(REPORT_READERS),
    ("GET", "/reports/forecast"): A(REPORT_READERS),
    ("GET", "/api/v1/reports/bank-utilisation"): A(only(STAFFING, EXEC, ADMIN), "staffing: its sites' rows"),
    ("GET", "/reports/bank-utilisation"): A(only(STAFFING, EXEC, ADMIN), "staffing: its sites' rows"),

    # --- a doctor's own documents and their verification ----------------------------------------------------
    ("GET", "/api/v1/me/documents"): A(only(DOCTOR)),
    ("POST", "/api/v1/me/documents"): A(only(DOCTOR), "a JSON body is no upload: 422"),
    ("GET", "/me/documents"): A(only(DOCTOR)),
    ("POST", "/me/documents"): A(only(DOCTOR), "an empty form is 422"),
    ("GET", "/api/v1/documents"): A(only(STAFFING, ADMIN), "staffing: doctors who may work at its sites"),
    ("POST", "/api/v1/documents/<int:document_id>/verify"): A(only(STAFFING, ADMIN), "the doctor works everywhere"),
    ("POST", "/api/v1/documents/<int:document_id>/reject"): A(only(STAFFING, ADMIN), "the doctor works everywhere"),
    ("GET", "/api/v1/documents/<int:document_id>/file"): A(only(DOCTOR, STAFFING, ADMIN), "the doctor's own file"),
    ("GET", "/documents/<int:document_id>/file"): A(only(DOCTOR, STAFFING, ADMIN), "the doctor's own file"),
    ("GET", "/staffing/documents"): A(only(STAFFING, ADMIN)),
    ("POST", "/staffing/documents/<int:document_id>/<any(verify, reject):action>"): A(only(STAFFING, ADMIN)),

    # --- joining the bank (public) and staffing's queue ----------------------------------------------------
    ("GET", "/join"): A(EVERYONE, "public form"),
    ("POST", "/join"): A(EVERYONE, "public form (an empty form is 422)"),
    ("GET", "/join/<string:token>"): A(EVERYONE, "the secret link is the key"),
    ("POST", "/join/<string:token>/confirm"): A(EVERYONE, "the secret link is the key (422: no code)"),
    ("POST", "/join/<string:token>/new-code"): A(EVERYONE, "409 here: the mobile is confirmed"),
    ("POST", "/join/<string:token>/documents"): A(EVERYONE, "the secret link is the key (422: no file)"),
    ("GET", "/welcome/<string:link_token>"): A(EVERYONE, "the one-time link is the key"),
    ("POST", "/welcome/<string:link_token>"): A(EVERYONE, "the one-time link is the key (422: no password)"),
    ("POST", "/api/v1/applications"): A(EVERYONE, "public: no token"),
    ("POST", "/api/v1/applications/<int:application_id>/confirm"): A(EVERYONE, "public: the texted code decides"),
    ("POST", "/api/v1/applications/<int:application_id>/code"): A(EVERYONE, "public; 409 here: confirmed"),
    ("POST", "/api/v1/applications/<int:application_id>/documents"): A(
        EVERYONE, "public: the application's token decides (422 here: no file)"),
    ("GET", "/api/v1/applications"): A(only(STAFFING, ADMIN), "staffing: applications for its sites"),
    ("GET", "/api/v1/applications/<int:application_id>"): A(only(STAFFING, ADMIN)),
    ("PATCH", "/api/v1/applications/<int:application_id>"): A(only(STAFFING, ADMIN)),
    ("POST", "/api/v1/applications/<int:application_id>/notes"): A(only(STAFFING, ADMIN)),
    ("POST", "/api/v1/applications/<int:application_id>/approve"): A(only(STAFFING, ADMIN), "422: checks left"),
    ("POST", "/api/v1/applications/<int:application_id>/reject"): A(only(STAFFING, ADMIN)),
    ("GET", "/staffing/applications"): A(only(STAFFING, ADMIN)),
    ("GET", "/staffing/applications/<int:application_id>"): A(only(STAFFING, ADMIN)),
    ("POST", "/staffing/applications/<int:application_id>/checklist"): A(only(STAFFING, ADMIN)),
    ("POST", "/staffing/applications/<int:application_id>/notes"): A(only(STAFFING, ADMIN), "empty: 422"),
    ("POST", "/staffing/applications/<int:application_id>/<any(approve, reject):decision>"): A(
        only(STAFFING, ADMIN), "approve: 422 (checks left); reject: 422 (no note)"),
    ("GET", "/staffing/applications/<int:application_id>/documents/<int:application_document_id>"): A(
        only(STAFFING, ADMIN)),

    # --- working across sites ------------------------------------------------------------------------------
    ("GET", "/me/sites"): A(only(DOCTOR)),
    ("POST", "/me/sites"): A(only(DOCTOR), "an empty form is 422"),
    ("GET", "/api/v1/me/site-requests"): A(only(DOCTOR)),
    ("POST", "/api/v1/me/site-requests"): A(only(DOCTOR), "422 here: the doctor works everywhere already"),
    ("GET", "/api/v1/site-requests"): A(only(STAFFING, COORD, COORD_OTHER), "each sees its own sites"),
    ("POST", "/api/v1/site-requests/<int:site_request_id>/approve"): A(only(STAFFING, COORD), "a site-A request"),
    ("POST", "/api/v1/site-requests/<int:site_request_id>/reject"): A(only(STAFFING, COORD), "a site-A request"),
    ("GET", "/staffing/site-requests"): A(only(STAFFING, COORD, COORD_OTHER), "each sees its own sites"),
    ("POST", "/staffing/site-requests/<int:site_request_id>/<any(approve, reject):decision>"): A(
        only(STAFFING, COORD), "a site-A request"),
}
del A
