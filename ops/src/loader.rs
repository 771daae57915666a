//! ES module loading for every realm: `file:` URLs (relative specifiers
//! resolve against the importer) read from disk within the process's read
//! permission, `blob:` URLs from the shared Blob URL store, and `data:`
//! URLs. Any other scheme is refused with a clear error.

use std::sync::Arc;

use deno_core::error::ModuleLoaderError;
use deno_core::{
    ModuleLoadOptions, ModuleLoadReferrer, ModuleLoadResponse, ModuleLoader, ModuleSource,
    ModuleSourceCode, ModuleSpecifier, ModuleType, RequestedModuleType, ResolutionKind,
    resolve_import,
};
use deno_error::JsErrorBox;

use crate::permissions::Permissions;

/// The module loader of the main runtime, its Workers and the worklet
/// scopes.
pub struct FileModuleLoader {
    permissions: Arc<Permissions>,
    blobs: Option<Arc<deno_web::BlobStore>>,
}

impl FileModuleLoader {
    /// A loader that reads what `permissions` allow and finds `blob:` URLs
    /// in `blobs` (without a store, `blob:` modules cannot be loaded).
    pub fn new(permissions: Arc<Permissions>, blobs: Option<Arc<deno_web::BlobStore>>) -> Self {
        Self { permissions, blobs }
    }
}

impl ModuleLoader for FileModuleLoader {
    fn resolve(
        &self,
        specifier: &str,
        referrer: &str,
        _kind: ResolutionKind,
    ) -> Result<ModuleSpecifier, ModuleLoaderError> {
        resolve_import(specifier, referrer).map_err(JsErrorBox::from_err)
    }

    fn load(
        &self,
        specifier: &ModuleSpecifier,
        referrer: Option<&ModuleLoadReferrer>,
        options: ModuleLoadOptions,
    ) -> ModuleLoadResponse {
        let importer = referrer
            .map(|r| {
                format!(
                    " (imported from {}:{}:{})",
                    r.specifier, r.line_number, r.column_number
                )
            })
            .unwrap_or_default();
        let requested = options.requested_module_type;
        let is_json = specifier.path().to_ascii_lowercase().ends_with(".json");
        ModuleLoadResponse::Sync(self.read_resource(specifier, &importer).and_then(
            |(mime, code)| {
                let is_json = match specifier.scheme() {
                    "file" => is_json,
                    _ => is_json_mime(&mime),
                };
                module_source(specifier, &requested, is_json, code)
            },
        ))
    }
}

impl FileModuleLoader {
    /// The MIME type (for `data:` and `blob:` URLs, else empty) and bytes of
    /// the resource at `specifier`, read as a module would be: a classic
    /// Worker script, or one `importScripts` loads. `importer` is added to
    /// a not-found message.
    pub fn read_resource(
        &self,
        specifier: &ModuleSpecifier,
        importer: &str,
    ) -> Result<(String, Vec<u8>), ModuleLoaderError> {
        match specifier.scheme() {
            "file" => {
                let path = specifier.to_file_path().map_err(|()| {
                    JsErrorBox::type_error(format!("Invalid file URL '{specifier}'"))
                })?;
                self.permissions
                    .check_read(&path)
                    .map_err(JsErrorBox::from_err)?;
                let code = std::fs::read(&path).map_err(|e| {
                    JsErrorBox::type_error(format!(
                        "Module not found: cannot read '{}': {}{importer}",
                        path.display(),
                        io_reason(&e)
                    ))
                })?;
                Ok((String::new(), code))
            }
            "data" => decode_data_url(specifier.as_str()).map_err(|e| {
                JsErrorBox::type_error(format!("Cannot load module '{specifier}': {e}"))
            }),
            "blob" => {
                let blob = self
                    .blobs
                    .as_ref()
                    .and_then(|store| store.get_object_url(specifier.clone()))
                    .ok_or_else(|| {
                        JsErrorBox::type_error(format!(
                            "Module not found: no Blob is registered for '{specifier}'{importer}"
                        ))
                    })?;
                // Blob parts live in memory: reading them never waits.
                let code = deno_core::futures::executor::block_on(blob.read_all());
                Ok((blob.media_type.clone(), code))
            }
            _ => Err(JsErrorBox::type_error(format!(
                "Cannot load module '{specifier}': only file:, blob: and data: URLs and relative paths are supported"
            ))),
        }
    }
}

/// The module of `requested` type made of `code`; a JSON resource asked for
/// as JavaScript is refused, as browsers do without the import attribute.
fn module_source(
    specifier: &ModuleSpecifier,
    requested: &RequestedModuleType,
    is_json: bool,
    code: Vec<u8>,
) -> Result<ModuleSource, ModuleLoaderError> {
    let module_type = match requested {
        RequestedModuleType::Json => ModuleType::Json,
        RequestedModuleType::Text => ModuleType::Text,
        RequestedModuleType::Bytes => ModuleType::Bytes,
        _ if is_json => {
            return Err(JsErrorBox::type_error(format!(
                "Importing JSON module '{specifier}' needs `with {{ type: \"json\" }}`"
            )));
        }
        _ => ModuleType::JavaScript,
    };
    Ok(ModuleSource::new(
        module_type,
        ModuleSourceCode::Bytes(code.into_boxed_slice().into()),
        specifier,
        None,
    ))
}

/// The MIME type (with its parameters) and body of a `data:` URL, as the
/// Fetch standard's data: URL processor gives them.
pub fn decode_data_url(url: &str) -> Result<(String, Vec<u8>), String> {
    let parsed =
        data_url::DataUrl::process(url).map_err(|e| format!("invalid data: URL ({e:?})"))?;
    let mime = parsed.mime_type().to_string();
    let (body, _fragment) = parsed
        .decode_to_vec()
        .map_err(|_| "invalid base64 in data: URL".to_string())?;
    Ok((mime, body))
}

/// Whether a MIME type (parameters allowed) names JSON.
fn is_json_mime(mime: &str) -> bool {
    let essence = mime.split(';').next().unwrap_or("").trim();
    essence.ends_with("/json") || essence.ends_with("+json")
}

/// The reason of an I/O error without the "(os error N)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "Is a directory".to_string(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}
