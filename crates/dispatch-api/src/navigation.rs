//! The hand-off from the phone page to the map app the caregiver navigates with: Amap (高德),
//! Baidu (百度) and Tencent (腾讯) maps, each through its published web URI API, which opens
//! the app where it is installed and a web map where not. Each app reads its own coordinate
//! system — GCJ-02 for Amap and Tencent, BD-09 for Baidu — so the WGS84 point is converted
//! here, once, on the server where it is tested against known answers.
//!
//! The label is the stop's address (else a neutral word), never the client's name: the link
//! goes to a third party.

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use roads::coords::{wgs84_to_bd09, wgs84_to_gcj02};
use roads::{LonLat, Mode};
use serde::Serialize;

/// Who the apps' statistics say sent the link.
const SOURCE: &str = "carecircle";

/// One link per app.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Links {
    pub amap: String,
    pub baidu: String,
    pub tencent: String,
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

/// Links that take the caregiver from where they are to `to` (WGS84), labelled `label`, by
/// their way of travelling.
pub fn links(to: LonLat, label: &str, mode: Mode) -> Links {
    let gcj = wgs84_to_gcj02(to);
    let bd = wgs84_to_bd09(to);
    let label = encode(label);
    let (amap_mode, tencent_type) = match mode {
        Mode::Car => ("car", "drive"),
        Mode::Walk => ("walk", "walk"),
        Mode::Ebike => ("ride", "bike"),
    };
    Links {
        // https://lbs.amap.com/api/uri-api/guide/travel/route: `to=lon,lat,name`, GCJ-02
        // (`coordinate=gaode`), from here when `from` is left out.
        amap: format!(
            "https://uri.amap.com/navigation?to={:.6},{:.6},{label}&mode={amap_mode}\
             &coordinate=gaode&callnative=1&src={SOURCE}",
            gcj.lon, gcj.lat
        ),
        // https://lbsyun.baidu.com/index.php?title=uri/api/web: a marker (`location=lat,lng`)
        // with its "go here" button, in BD-09 (`coord_type=bd09ll`).
        baidu: format!(
            "https://api.map.baidu.com/marker?location={:.6},{:.6}&title={label}&content={label}\
             &output=html&coord_type=bd09ll&src=webapp.{SOURCE}",
            bd.lat, bd.lon
        ),
        // https://lbs.qq.com/webApi/uriV1/uriGuide/uriWebRoute: `tocoord=lat,lng` in GCJ-02,
        // from here when `from` is left out.
        tencent: format!(
            "https://apis.map.qq.com/uri/v1/routeplan?type={tencent_type}&to={label}\
             &tocoord={:.6},{:.6}&policy=0&referer={SOURCE}",
            gcj.lat, gcj.lon
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known answers from the reference implementation (wandergis/coordtransform) for WGS84
    /// (116.404, 39.915): GCJ-02 (116.410244, 39.916404) and, from it, BD-09
    /// (116.416627, 39.922700), each link in its own app's system.
    #[test]
    fn each_app_gets_its_own_coordinates() {
        let l = links(LonLat::new(116.404, 39.915), "荣成市 崖头街道 5号", Mode::Ebike);
        assert!(l.amap.contains("to=116.410244,39.916404,"), "{}", l.amap);
        assert!(l.amap.contains("mode=ride") && l.amap.contains("coordinate=gaode"), "{}", l.amap);
        assert!(l.tencent.contains("tocoord=39.916404,116.410244"), "{}", l.tencent);
        assert!(l.tencent.contains("type=bike"), "{}", l.tencent);
        assert!(l.baidu.contains("location=39.922700,116.416627"), "{}", l.baidu);
        assert!(l.baidu.contains("coord_type=bd09ll"), "{}", l.baidu);
    }

    #[test]
    fn labels_are_encoded_and_modes_follow_the_caregiver() {
        let l = links(LonLat::new(122.4863, 37.1651), "崖头 5号&x=1", Mode::Car);
        assert!(l.amap.contains(",%E5%B4%96%E5%A4%B4%205%E5%8F%B7%26x%3D1&mode=car"), "{}", l.amap);
        assert!(l.tencent.contains("type=drive"), "{}", l.tencent);
        // The label cannot add a parameter of its own.
        assert!(!l.baidu.contains("&x=1") && l.baidu.contains("%26x%3D1"), "{}", l.baidu);
    }
}
