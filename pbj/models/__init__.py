"""Models, one module per aggregate. Importing this package registers them all."""
from pbj.models.accounts import Organisation, OrgKind, Role, User
from pbj.models.audit import AuditEntry
from pbj.models.catalogue import (
    Category,
    Preference,
    PriceChange,
    Product,
    ProductImage,
    ProductStatus,
)
from pbj.models.suppliers import (
    BusinessScale,
    DocumentKind,
    Sanction,
    SupplierDocument,
    SupplierProfile,
    VerificationStatus,
)

__all__ = [
    "AuditEntry",
    "BusinessScale",
    "Category",
    "Preference",
    "PriceChange",
    "Product",
    "ProductImage",
    "ProductStatus",
    "DocumentKind",
    "Organisation",
    "OrgKind",
    "Role",
    "Sanction",
    "SupplierDocument",
    "SupplierProfile",
    "User",
    "VerificationStatus",
]
