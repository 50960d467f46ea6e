//! PNG copies of the SVG maps, for people and tools that do not open SVG (chat apps, office
//! documents). Rendered in-process with resvg; text uses the system's fonts, and a machine
//! without fonts still gets the map, only without its labels.

use anyhow::{Context, Result};
use resvg::{tiny_skia, usvg};
use std::path::Path;

/// Renders `svg` to a PNG file at its own size.
pub fn write_png(svg: &str, path: &Path) -> Result<()> {
    let mut options = usvg::Options::default();
    let fonts = options.fontdb_mut();
    fonts.load_system_fonts();
    // The maps ask for "sans-serif", which fontdb maps to Arial: use whatever sans face the
    // system has (DejaVu Sans on Debian).
    let sans = fonts.faces().find_map(|face| {
        face.families.first().map(|(name, _)| name.clone()).filter(|name| name.contains("Sans"))
    });
    if let Some(sans) = sans {
        fonts.set_sans_serif_family(sans);
    }
    let tree = usvg::Tree::from_str(svg, &options).context("the map is not valid SVG")?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .with_context(|| format!("{}: the map has no area", path.display()))?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    let bytes = pixmap.encode_png().context("cannot encode the PNG")?;
    crate::input::write_bytes(path, &bytes)
}
