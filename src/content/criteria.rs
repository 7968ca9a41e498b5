//! Decoding `content/criteria.yaml` (SPEC §4, §11) into `model::CriteriaTable`.
//!
//! Checks what can be checked on one criterion alone: the method and the fields it needs, fields
//! that belong to another method, `max > 0`, `target > 0`, `cap >= 1`, bands of one kind with
//! points in `0..=max` and distinct bounds, reserved ids. Uniqueness across the table is
//! `validate`'s job.

use rust_decimal::Decimal;

use super::decode::{self, Ctx, Fields, Help};
use super::yaml::Tree;
use crate::model::{Band, Bands, CriteriaTable, Criterion, Group, Item, ItemTable, Method};

const TABLE_FIELDS: &[&str] = &["groups", "bonus", "penalties"];
const GROUP_FIELDS: &[&str] = &["id", "title", "criteria", "description"];
const CRITERION_FIELDS: &[&str] =
    &["id", "title", "max", "method", "target", "cap", "per", "bands", "unit", "description"];
const ITEM_TABLE_FIELDS: &[&str] = &["max", "items"];
const ITEM_FIELDS: &[&str] = &["id", "title", "points", "max", "description"];
pub const METHODS: &[&str] = &["assessed", "proportional", "inverse", "pass_fail", "bands", "per_item"];
/// Names that a results entry uses for other things, so no criterion may take them.
pub const RESERVED_CRITERION_IDS: &[&str] = &["unit", "bonus", "penalties", "metrics", "evidence", "notes"];

pub fn decode(ctx: &mut Ctx<'_>, root: &Tree<'_>) -> CriteriaTable {
    let mut table = CriteriaTable::default();
    let Some(f) = Fields::new(ctx, root, "criteria.yaml", TABLE_FIELDS) else {
        return table;
    };
    if let Some(n) = f.required(ctx, "groups", "the criteria table")
        && let Some(items) = decode::list(ctx, n, "groups")
    {
        table.groups = items.iter().filter_map(|g| group(ctx, g)).collect();
    }
    table.bonus = f.get("bonus").and_then(|n| item_table(ctx, n, "bonus"));
    table.penalties = f.get("penalties").and_then(|n| item_table(ctx, n, "penalties"));
    table
}

fn group(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Group> {
    let f = Fields::new(ctx, node, "a criteria group", GROUP_FIELDS)?;
    let id = f.required(ctx, "id", "a criteria group").and_then(|n| decode::id(ctx, n, "group"));
    let title = f.required(ctx, "title", "a criteria group").and_then(|n| decode::string(ctx, n));
    let criteria = f
        .required(ctx, "criteria", "a criteria group")
        .and_then(|n| decode::list(ctx, n, "criteria"))
        .map(|items| items.iter().filter_map(|c| criterion(ctx, c)).collect());
    Some(Group {
        id: id?,
        title: title?,
        description: f.string(ctx, "description"),
        criteria: criteria.unwrap_or_default(),
        pos: f.get("id").map_or(node.pos, |n| n.pos),
    })
}

fn criterion(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Criterion> {
    let f = Fields::new(ctx, node, "a criterion", CRITERION_FIELDS)?;
    let id = f.required(ctx, "id", "a criterion").and_then(|n| criterion_id(ctx, n));
    let title = f.required(ctx, "title", "a criterion").and_then(|n| decode::string(ctx, n));
    let max = f.required(ctx, "max", "a criterion").and_then(|n| positive(ctx, n, "max"));
    let method = f.required(ctx, "method", "a criterion").and_then(|n| method(ctx, &f, n, max));
    Some(Criterion {
        id: id?,
        title: title?,
        max: max?,
        method: method?,
        unit: f.string(ctx, "unit"),
        description: f.string(ctx, "description"),
        pos: f.get("id").map_or(node.pos, |n| n.pos),
    })
}

fn criterion_id(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<String> {
    let id = decode::id(ctx, node, "criterion")?;
    if RESERVED_CRITERION_IDS.contains(&id.as_str()) {
        ctx.error("reserved-id", node.pos, format!("`{id}` is reserved and cannot be a criterion id"))
            .help("results entries use it for something else; pick another id, e.g. A1");
        return None;
    }
    Some(id)
}

fn positive(ctx: &mut Ctx<'_>, node: &Tree<'_>, field: &str) -> Option<Decimal> {
    let d = decode::decimal(ctx, node)?;
    if d <= Decimal::ZERO {
        ctx.error("invalid-value", node.pos, format!("`{field}` must be greater than 0, found {d}"));
        return None;
    }
    Some(d)
}

/// The fields each method uses beyond the common ones.
fn method_fields(method: &str) -> &'static [&'static str] {
    match method {
        "proportional" | "inverse" => &["target", "cap"],
        "per_item" => &["per"],
        "bands" => &["bands"],
        _ => &[],
    }
}

fn method(ctx: &mut Ctx<'_>, f: &Fields<'_>, node: &Tree<'_>, max: Option<Decimal>) -> Option<Method> {
    let name = decode::string(ctx, node)?;
    if !METHODS.contains(&name.as_str()) {
        let help = crate::diagnostics::did_you_mean(&name, METHODS.iter().copied())
            .unwrap_or_else(|| format!("methods: {}", METHODS.join(", ")));
        ctx.error("unknown-method", node.pos, format!("unknown scoring method `{name}`")).help(help);
        return None;
    }
    let own = method_fields(&name);
    let mut foreign = false;
    for field in ["target", "cap", "per", "bands"] {
        if !own.contains(&field)
            && let Some(key) = f.get(field).and(f.key_node(field))
        {
            foreign = true;
            let users: Vec<&str> =
                METHODS.iter().copied().filter(|m| method_fields(m).contains(&field)).collect();
            ctx.error(
                "field-not-for-method",
                key.pos,
                format!("`{field}` does not apply to the `{name}` method"),
            )
            .help(format!("remove it, or use a method that takes it ({})", users.join(", ")));
        }
    }
    let needs = |ctx: &mut Ctx<'_>, field: &str| f.required(ctx, field, &format!("a `{name}` criterion"));
    let method = match name.as_str() {
        "assessed" => Method::Assessed,
        "pass_fail" => Method::PassFail,
        "per_item" => {
            let per = needs(ctx, "per")?;
            Method::PerItem { per: positive(ctx, per, "per")? }
        }
        "bands" => {
            let list = needs(ctx, "bands")?;
            Method::Bands { bands: bands(ctx, list, max)? }
        }
        _ => {
            let target = needs(ctx, "target").and_then(|n| positive(ctx, n, "target"));
            let cap = f.get("cap").map_or(Some(Decimal::ONE), |n| cap(ctx, n));
            let (target, cap) = (target?, cap?);
            if name == "proportional" {
                Method::Proportional { target, cap }
            } else {
                Method::Inverse { target, cap }
            }
        }
    };
    (!foreign).then_some(method)
}

fn cap(ctx: &mut Ctx<'_>, node: &Tree<'_>) -> Option<Decimal> {
    let d = decode::decimal(ctx, node)?;
    if d < Decimal::ONE {
        ctx.error("invalid-value", node.pos, format!("`cap` must be 1 or more, found {d}"))
            .help("cap 1.2 credits up to 120% of the target; the default is 1");
        return None;
    }
    Some(d)
}

fn bands(ctx: &mut Ctx<'_>, node: &Tree<'_>, max: Option<Decimal>) -> Option<Bands> {
    let items = decode::list(ctx, node, "bands")?;
    if items.is_empty() {
        ctx.error("invalid-value", node.pos, "`bands` needs at least one band")
            .help("e.g. bands: [{min: 90, points: 10}]");
        return None;
    }
    let mut kind: Option<&str> = None;
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for item in items {
        let Some(f) = Fields::new(ctx, item, "a band", &["min", "max", "points"]) else {
            ok = false;
            continue;
        };
        let bound_key = match (f.get("min"), f.get("max")) {
            (Some(_), None) => "min",
            (None, Some(_)) => "max",
            (Some(_), Some(_)) => {
                ctx.error("band-kind", item.pos, "a band has `min` or `max`, not both");
                ok = false;
                continue;
            }
            (None, None) => {
                ctx.error("missing-field", item.pos, "a band needs a `min` or a `max`")
                    .help("e.g. {min: 90, points: 10}");
                ok = false;
                continue;
            }
        };
        let bound_node = f.get(bound_key)?;
        match kind {
            None => kind = Some(bound_key),
            Some(k) if k != bound_key => {
                ctx.error(
                    "band-kind",
                    bound_node.pos,
                    format!("this band uses `{bound_key}` but an earlier one uses `{k}`"),
                )
                .help("one criterion's bands are all `min` bands or all `max` bands");
                ok = false;
            }
            Some(_) => {}
        }
        let bound = decode::decimal(ctx, bound_node);
        let points = f.required(ctx, "points", "a band").and_then(|n| band_points(ctx, n, max));
        match (bound, points) {
            (Some(bound), Some(points)) => {
                if let Some(twin) = out.iter().find(|b: &&Band| b.bound == bound) {
                    let line = twin.pos.line;
                    ctx.error("duplicate-band", bound_node.pos, format!("two bands share the bound {bound}"))
                        .help(format!("the other is on line {line}; bounds must differ"));
                    ok = false;
                }
                out.push(Band { bound, points, pos: bound_node.pos });
            }
            _ => ok = false,
        }
    }
    if !ok {
        return None;
    }
    Some(if kind == Some("max") { Bands::Max(out) } else { Bands::Min(out) })
}

fn band_points(ctx: &mut Ctx<'_>, node: &Tree<'_>, max: Option<Decimal>) -> Option<Decimal> {
    let p = decode::decimal(ctx, node)?;
    let too_big = max.is_some_and(|m| p > m);
    if p.is_sign_negative() || too_big {
        let m = max.map_or_else(String::new, |m| m.to_string());
        ctx.error("invalid-value", node.pos, format!("a band's points must lie in 0..={m}, found {p}"))
            .help("a band cannot give more than the criterion's `max`");
        return None;
    }
    Some(p)
}

fn item_table(ctx: &mut Ctx<'_>, node: &Tree<'_>, what: &str) -> Option<ItemTable> {
    let f = Fields::new(ctx, node, what, ITEM_TABLE_FIELDS)?;
    let max = f.get("max").and_then(|n| non_negative(ctx, n, "max"));
    let items = f
        .required(ctx, "items", what)
        .and_then(|n| decode::list(ctx, n, "items"))
        .map(|items| items.iter().filter_map(|n| item(ctx, n, what)).collect())
        .unwrap_or_default();
    Some(ItemTable { max, items })
}

fn item(ctx: &mut Ctx<'_>, node: &Tree<'_>, table: &str) -> Option<Item> {
    let what = if table == "bonus" { "a bonus item" } else { "a penalty item" };
    let f = Fields::new(ctx, node, what, ITEM_FIELDS)?;
    let id = f.required(ctx, "id", what).and_then(|n| decode::id(ctx, n, "item"));
    let points = f.required(ctx, "points", what).and_then(|n| non_negative(ctx, n, "points"));
    Some(Item {
        id: id?,
        title: f.string(ctx, "title"),
        points: points?,
        max: f.get("max").and_then(|n| non_negative(ctx, n, "max")),
        description: f.string(ctx, "description"),
        pos: f.get("id").map_or(node.pos, |n| n.pos),
    })
}

fn non_negative(ctx: &mut Ctx<'_>, node: &Tree<'_>, field: &str) -> Option<Decimal> {
    let d = decode::decimal(ctx, node)?;
    if d.is_sign_negative() {
        ctx.error("invalid-value", node.pos, format!("`{field}` cannot be negative, found {d}"))
            .help("penalty points are written as positive numbers; they are subtracted");
        return None;
    }
    Some(d)
}
