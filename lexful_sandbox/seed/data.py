"""Word lists the demo seed draws from."""

from __future__ import annotations

from typing import Any

from lexful_sandbox.resources.system_types import prop, ref

CLIENTS = [
    "Acme Corporation",
    "Contoso Ltd",
    "Northwind Traders",
    "Fabrikam Inc",
    "Globex Industries",
    "Initech",
    "Umbrella Health",
    "Wayne Logistics",
    "Stark Dental Group",
    "Blue Harbor Law",
    "Pinecrest Schools",
    "Riverbend Accounting",
    "Summit Architects",
    "Greenleaf Farms",
]
VENDORS = ["Dell Technologies", "Cisco Systems", "Microsoft", "Ubiquiti", "HP Inc"]
PARTNERS = ["Bright Cloud Consulting", "Ironclad Security"]
PROSPECTS = ["Oakridge Veterinary", "Lakeside Hotels"]
BRANCHES = ["Berlin Office", "Denver Branch", "Toronto Site", "London Office"]
FIRST_NAMES = [
    "Jane", "John", "Maria", "Wei", "Aisha", "Carlos", "Priya", "Liam", "Olivia", "Noah",
    "Emma", "Lucas", "Sofia", "Mateo", "Chloe", "Ethan", "Yuki", "Omar", "Hannah", "Diego",
    "Fatima", "Lena", "Ravi", "Grace", "Tomás", "Ingrid", "Kwame", "Sara", "Henrik", "Mei",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Johnson", "Garcia", "Chen", "Khan", "Rodriguez", "Patel", "Murphy", "Nguyen",
    "Müller", "Rossi", "Kowalski", "Silva", "Okafor", "Tanaka", "Andersson", "Dubois", "Ivanova",
    "O'Brien", "Haddad", "Lee", "Brown", "Schmidt", "Novak", "Costa",
]  # fmt: skip
TITLES = [
    "CEO", "CFO", "IT Manager", "Office Manager", "VP of Engineering", "Receptionist",
    "Operations Director", "Accountant", "HR Lead", "Practice Manager", "Sysadmin",
]  # fmt: skip
CITIES = [
    ("Springfield", "IL", "US"), ("Denver", "CO", "US"), ("Austin", "TX", "US"),
    ("Toronto", "ON", "CA"), ("Berlin", "BE", "DE"), ("London", "LND", "GB"),
    ("Portland", "OR", "US"), ("Madison", "WI", "US"),
]  # fmt: skip
STREETS = ["Main St", "Oak Ave", "Market St", "Elm St", "Harbor Rd", "Industrial Pkwy"]
SITE_NAMES = ["Headquarters", "Warehouse", "Branch Office", "Data Closet", "Satellite Office"]
MANUFACTURERS = {
    "Dell": ["OptiPlex 7010", "PowerEdge R650", "Latitude 5440"],
    "HP": ["EliteDesk 800", "LaserJet Pro M404", "ProBook 450"],
    "Lenovo": ["ThinkPad T14", "ThinkCentre M70q"],
    "Apple": ["MacBook Pro 14", "Mac mini"],
}
CONFIG_KINDS = {
    "Server": "srv",
    "Workstation": "ws",
    "Laptop": "lt",
    "Printer": "prn",
    "Other": "dev",
}
DEVICE_ROLES = ["Router", "Switch", "Firewall", "Access Point", "Load Balancer"]
USERS = [
    ("Sam", "Rivera", "support"),
    ("Alex", "Morgan", "admin"),
    ("Jordan", "Lee", "viewer"),
    ("Taylor", "Kim", "support"),
]


def network_device_type() -> dict[str, Any]:
    """The demo's custom type: one property of every type, single and multiple references."""
    interface = {
        "type": "object",
        "properties": [
            prop("name", required=True),
            prop("ip_address"),
            prop("speed_mbps", "integer"),
        ],
    }
    return {
        "name": "network_device",
        "display_name": "Network Devices",
        "description": "Routers, switches, firewalls and access points",
        "properties": [
            prop("name", required=True),
            prop("device_role", enum=DEVICE_ROLES),
            prop("port_count", "integer"),
            prop("throughput_gbps", "number"),
            prop("managed", "boolean"),
            prop("vlans", "array", array={"type": "string"}),
            prop("interfaces", "array", array=interface),
            prop("notes", "richtext"),
            prop("snmp_community", "secret"),
            prop("mfa_seed", "totp"),
            prop(
                "firmware_image",
                "file",
                file_rules={"max_size": 50 * 1024 * 1024, "allowed_extensions": [".bin", ".img"]},
            ),
            prop("purchase_date", "date"),
            prop("last_seen_at", "datetime"),
        ],
        "references": [
            ref("location", ["system.location"]),
            ref("connected_devices", ["network_device", "system.configuration"], multiple=True),
        ],
    }


CONTACT_EXTENSIONS = [prop("ext_linkedin_url"), prop("ext_birthday", "date")]
