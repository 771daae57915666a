//! ES module loading from the local file system (`file:` URLs only), for
//! the main realm and the AudioWorklet realm alike.

use deno_core::error::ModuleLoaderError;
use deno_core::{
    ModuleLoadOptions, ModuleLoadReferrer, ModuleLoadResponse, ModuleLoader, ModuleSource,
    ModuleSourceCode, ModuleSpecifier, ModuleType, RequestedModuleType, ResolutionKind,
    resolve_import,
};
use deno_error::JsErrorBox;

/// Resolves relative and `file:` specifiers against the importing module and
/// reads them from disk. Any other scheme is refused with a clear error.
pub struct FileModuleLoader;

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
        let importer = referrer.map(|r| {
            format!(
                " (imported from {}:{}:{})",
                r.specifier, r.line_number, r.column_number
            )
        });
        ModuleLoadResponse::Sync(load_file_module(
            specifier,
            &options.requested_module_type,
            importer.as_deref().unwrap_or(""),
        ))
    }
}

fn load_file_module(
    specifier: &ModuleSpecifier,
    requested: &RequestedModuleType,
    importer: &str,
) -> Result<ModuleSource, ModuleLoaderError> {
    if specifier.scheme() != "file" {
        return Err(JsErrorBox::type_error(format!(
            "Cannot load module '{specifier}': only file: URLs and relative paths are supported"
        )));
    }
    let path = specifier
        .to_file_path()
        .map_err(|()| JsErrorBox::type_error(format!("Invalid file URL '{specifier}'")))?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
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
    let code = std::fs::read(&path).map_err(|e| {
        JsErrorBox::type_error(format!(
            "Module not found: cannot read '{}': {}{importer}",
            path.display(),
            io_reason(&e)
        ))
    })?;
    Ok(ModuleSource::new(
        module_type,
        ModuleSourceCode::Bytes(code.into_boxed_slice().into()),
        specifier,
        None,
    ))
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
