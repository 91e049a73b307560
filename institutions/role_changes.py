"""Roles per institution (memberships) given, changed or taken away, whoever does it, go to the
security audit log (accounts.audit). Connected in ``InstitutionsConfig.ready()``."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from accounts.audit import role_changed
from institutions.models import Institution, Membership


@receiver(pre_save, sender=Membership, dispatch_uid="audit_membership_before")
def _membership_before(sender, instance: Membership, raw=False, **kwargs):
    instance._audit_role_before = (
        None
        if raw or instance.pk is None
        else Membership.objects.filter(pk=instance.pk).values_list("role", flat=True).first()
    )


@receiver(post_save, sender=Membership, dispatch_uid="audit_membership_saved")
def _membership_saved(sender, instance: Membership, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_audit_role_before", None)
    who, code = instance.user.get_username(), instance.institution.code
    if created or before is None:
        detail = f"{who}: rol {instance.role} bij {code} toegekend"
    elif before != instance.role:
        detail = f"{who}: rol {before} → {instance.role} bij {code}"
    else:
        return
    role_changed(detail, institution=instance.institution)


@receiver(post_delete, sender=Membership, dispatch_uid="audit_membership_deleted")
def _membership_deleted(sender, instance: Membership, **kwargs):
    # Only the code: the institution may be the thing being deleted (this runs in its cascade),
    # and a new row pointing at it would break the foreign key at commit.
    code = (
        Institution.objects.filter(pk=instance.institution_id)
        .values_list("code", flat=True)
        .first()
        or ""
    )
    who = instance.user.get_username()
    role_changed(f"{who}: rol {instance.role} bij {code} ingetrokken", institution_code=code)
