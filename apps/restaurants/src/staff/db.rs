//! Staff and invitations in the database: the app kit's staff statements
//! ([`appkit::staff::Tables`]) over the restaurants' tables.

use appkit::staff::Tables;

/// The restaurants' staff tables.
pub const TABLES: Tables = Tables {
    members: "restaurant_staff",
    invites: "staff_invites",
    place_column: "restaurant_id",
    places: "restaurants",
    owner_column: "owner_id",
    name_column: "name",
};
