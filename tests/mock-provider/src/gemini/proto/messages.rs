//! The request messages of the Gemini API, field by field, as the proto
//! files declare them (names in `snake_case`). [`super::check`] walks a body
//! against them; whatever is not listed here is an unknown field.

use super::{EnumType, Field, Kind, Label, Message};

const fn one(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        label: Label::One,
    }
}

const fn list(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        label: Label::Repeated,
    }
}

const fn map(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        label: Label::Map,
    }
}

/// `POST …:generateContent` and `:streamGenerateContent`.
pub(crate) static GENERATE_CONTENT_REQUEST: Message = Message {
    name: "GenerateContentRequest",
    fields: &[
        one("model", Kind::Str),
        list("contents", Kind::Msg(&CONTENT)),
        list("tools", Kind::Msg(&TOOL)),
        one("tool_config", Kind::Msg(&TOOL_CONFIG)),
        list("safety_settings", Kind::Msg(&SAFETY_SETTING)),
        one("system_instruction", Kind::Msg(&CONTENT)),
        one("generation_config", Kind::Msg(&GENERATION_CONFIG)),
        one("cached_content", Kind::Str),
    ],
};

/// `POST …:countTokens`.
pub(crate) static COUNT_TOKENS_REQUEST: Message = Message {
    name: "CountTokensRequest",
    fields: &[
        one("model", Kind::Str),
        list("contents", Kind::Msg(&CONTENT)),
        one(
            "generate_content_request",
            Kind::Msg(&GENERATE_CONTENT_REQUEST),
        ),
    ],
};

static CONTENT: Message = Message {
    name: "Content",
    fields: &[one("role", Kind::Str), list("parts", Kind::Msg(&PART))],
};

/// The fields of [`PART`] that make up its `data` oneof.
pub(crate) const PART_DATA: [&str; 7] = [
    "text",
    "inline_data",
    "function_call",
    "function_response",
    "file_data",
    "executable_code",
    "code_execution_result",
];

static PART: Message = Message {
    name: "Part",
    fields: &[
        one("text", Kind::Str),
        one("inline_data", Kind::Msg(&BLOB)),
        one("function_call", Kind::Msg(&FUNCTION_CALL)),
        one("function_response", Kind::Msg(&FUNCTION_RESPONSE)),
        one("file_data", Kind::Msg(&FILE_DATA)),
        one("executable_code", Kind::Msg(&EXECUTABLE_CODE)),
        one("code_execution_result", Kind::Msg(&CODE_EXECUTION_RESULT)),
        one("thought", Kind::Bool),
        one("thought_signature", Kind::Bytes),
        one("part_metadata", Kind::Struct),
        one("video_metadata", Kind::Msg(&VIDEO_METADATA)),
        one("media_resolution", Kind::Opaque("MediaResolution")),
    ],
};

static BLOB: Message = Message {
    name: "Blob",
    fields: &[one("mime_type", Kind::Str), one("data", Kind::Bytes)],
};

static FILE_DATA: Message = Message {
    name: "FileData",
    fields: &[one("mime_type", Kind::Str), one("file_uri", Kind::Str)],
};

static FUNCTION_CALL: Message = Message {
    name: "FunctionCall",
    fields: &[
        one("id", Kind::Str),
        one("name", Kind::Str),
        one("args", Kind::Struct),
    ],
};

static FUNCTION_RESPONSE: Message = Message {
    name: "FunctionResponse",
    fields: &[
        one("id", Kind::Str),
        one("name", Kind::Str),
        one("response", Kind::Struct),
        list("parts", Kind::Msg(&FUNCTION_RESPONSE_PART)),
        one("will_continue", Kind::Bool),
        one("scheduling", Kind::Enum(&SCHEDULING)),
    ],
};

static FUNCTION_RESPONSE_PART: Message = Message {
    name: "FunctionResponsePart",
    fields: &[
        one("inline_data", Kind::Msg(&BLOB)),
        one("file_data", Kind::Msg(&FILE_DATA)),
    ],
};

static SCHEDULING: EnumType = EnumType {
    name: "FunctionResponse.Scheduling",
    values: &["SCHEDULING_UNSPECIFIED", "SILENT", "WHEN_IDLE", "INTERRUPT"],
};

static EXECUTABLE_CODE: Message = Message {
    name: "ExecutableCode",
    fields: &[
        one("id", Kind::Str),
        one("language", Kind::Enum(&LANGUAGE)),
        one("code", Kind::Str),
    ],
};

static LANGUAGE: EnumType = EnumType {
    name: "ExecutableCode.Language",
    values: &["LANGUAGE_UNSPECIFIED", "PYTHON"],
};

static CODE_EXECUTION_RESULT: Message = Message {
    name: "CodeExecutionResult",
    fields: &[
        one("id", Kind::Str),
        one("outcome", Kind::Enum(&OUTCOME)),
        one("output", Kind::Str),
    ],
};

static OUTCOME: EnumType = EnumType {
    name: "CodeExecutionResult.Outcome",
    values: &[
        "OUTCOME_UNSPECIFIED",
        "OUTCOME_OK",
        "OUTCOME_FAILED",
        "OUTCOME_DEADLINE_EXCEEDED",
    ],
};

static VIDEO_METADATA: Message = Message {
    name: "VideoMetadata",
    fields: &[
        one("start_offset", Kind::Duration),
        one("end_offset", Kind::Duration),
        one("fps", Kind::Double),
    ],
};

static TOOL: Message = Message {
    name: "Tool",
    fields: &[
        list("function_declarations", Kind::Msg(&FUNCTION_DECLARATION)),
        one(
            "google_search_retrieval",
            Kind::Opaque("GoogleSearchRetrieval"),
        ),
        one("code_execution", Kind::Opaque("CodeExecution")),
        one("google_search", Kind::Opaque("Tool.GoogleSearch")),
        one("url_context", Kind::Opaque("UrlContext")),
        one("computer_use", Kind::Opaque("Tool.ComputerUse")),
        one("file_search", Kind::Opaque("FileSearch")),
        one("google_maps", Kind::Opaque("GoogleMaps")),
    ],
};

static FUNCTION_DECLARATION: Message = Message {
    name: "FunctionDeclaration",
    fields: &[
        one("name", Kind::Str),
        one("description", Kind::Str),
        one("behavior", Kind::Enum(&BEHAVIOR)),
        one("parameters", Kind::Msg(&SCHEMA)),
        // JSON Schema proper: anything goes, `additionalProperties` included.
        one("parameters_json_schema", Kind::AnyValue),
        one("response", Kind::Msg(&SCHEMA)),
        one("response_json_schema", Kind::AnyValue),
    ],
};

static BEHAVIOR: EnumType = EnumType {
    name: "FunctionDeclaration.Behavior",
    values: &["UNSPECIFIED", "BLOCKING", "NON_BLOCKING"],
};

/// Gemini's `Schema`: a subset of OpenAPI 3.0, not JSON Schema. Keys such as
/// `additionalProperties`, `$schema`, `$ref`, `$defs`, `const`,
/// `exclusiveMinimum`, `exclusiveMaximum`, `patternProperties`,
/// `unevaluatedProperties`, `oneOf` and `allOf` are not fields, so they are
/// rejected wherever they appear.
static SCHEMA: Message = Message {
    name: "Schema",
    fields: &[
        one("type", Kind::Enum(&TYPE)),
        one("format", Kind::Str),
        one("title", Kind::Str),
        one("description", Kind::Str),
        one("nullable", Kind::Bool),
        list("enum", Kind::Str),
        one("max_items", Kind::Int64),
        one("min_items", Kind::Int64),
        map("properties", Kind::Msg(&SCHEMA)),
        list("required", Kind::Str),
        one("min_properties", Kind::Int64),
        one("max_properties", Kind::Int64),
        one("min_length", Kind::Int64),
        one("max_length", Kind::Int64),
        one("pattern", Kind::Str),
        one("example", Kind::AnyValue),
        list("any_of", Kind::Msg(&SCHEMA)),
        list("property_ordering", Kind::Str),
        one("default", Kind::AnyValue),
        one("items", Kind::Msg(&SCHEMA)),
        one("minimum", Kind::Double),
        one("maximum", Kind::Double),
    ],
};

static TYPE: EnumType = EnumType {
    name: "Type",
    values: &[
        "TYPE_UNSPECIFIED",
        "STRING",
        "NUMBER",
        "INTEGER",
        "BOOLEAN",
        "ARRAY",
        "OBJECT",
        "NULL",
    ],
};

static TOOL_CONFIG: Message = Message {
    name: "ToolConfig",
    fields: &[
        one(
            "function_calling_config",
            Kind::Msg(&FUNCTION_CALLING_CONFIG),
        ),
        one("retrieval_config", Kind::Opaque("RetrievalConfig")),
    ],
};

static FUNCTION_CALLING_CONFIG: Message = Message {
    name: "FunctionCallingConfig",
    fields: &[
        one("mode", Kind::Enum(&MODE)),
        list("allowed_function_names", Kind::Str),
    ],
};

static MODE: EnumType = EnumType {
    name: "FunctionCallingConfig.Mode",
    values: &["MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"],
};

static SAFETY_SETTING: Message = Message {
    name: "SafetySetting",
    fields: &[
        one("category", Kind::Enum(&HARM_CATEGORY)),
        one("threshold", Kind::Enum(&HARM_BLOCK_THRESHOLD)),
    ],
};

static HARM_CATEGORY: EnumType = EnumType {
    name: "HarmCategory",
    values: &[
        "HARM_CATEGORY_UNSPECIFIED",
        "HARM_CATEGORY_DEROGATORY",
        "HARM_CATEGORY_TOXICITY",
        "HARM_CATEGORY_VIOLENCE",
        "HARM_CATEGORY_SEXUAL",
        "HARM_CATEGORY_MEDICAL",
        "HARM_CATEGORY_DANGEROUS",
        "HARM_CATEGORY_HARASSMENT",
        "HARM_CATEGORY_HATE_SPEECH",
        "HARM_CATEGORY_SEXUALLY_EXPLICIT",
        "HARM_CATEGORY_DANGEROUS_CONTENT",
        "HARM_CATEGORY_CIVIC_INTEGRITY",
    ],
};

static HARM_BLOCK_THRESHOLD: EnumType = EnumType {
    name: "SafetySetting.HarmBlockThreshold",
    values: &[
        "HARM_BLOCK_THRESHOLD_UNSPECIFIED",
        "BLOCK_LOW_AND_ABOVE",
        "BLOCK_MEDIUM_AND_ABOVE",
        "BLOCK_ONLY_HIGH",
        "BLOCK_NONE",
        "OFF",
    ],
};

static GENERATION_CONFIG: Message = Message {
    name: "GenerationConfig",
    fields: &[
        list("stop_sequences", Kind::Str),
        one("response_mime_type", Kind::Str),
        one("response_schema", Kind::Msg(&SCHEMA)),
        one("response_json_schema", Kind::AnyValue),
        list("response_modalities", Kind::Enum(&MODALITY)),
        one("candidate_count", Kind::Int32),
        one("max_output_tokens", Kind::Int32),
        one("temperature", Kind::Float),
        one("top_p", Kind::Float),
        one("top_k", Kind::Int32),
        one("seed", Kind::Int32),
        one("presence_penalty", Kind::Float),
        one("frequency_penalty", Kind::Float),
        one("response_logprobs", Kind::Bool),
        one("logprobs", Kind::Int32),
        one("enable_enhanced_civic_answers", Kind::Bool),
        one("speech_config", Kind::Opaque("SpeechConfig")),
        one("thinking_config", Kind::Msg(&THINKING_CONFIG)),
        one("image_config", Kind::Opaque("ImageConfig")),
        one("media_resolution", Kind::Enum(&MEDIA_RESOLUTION)),
    ],
};

static MODALITY: EnumType = EnumType {
    name: "GenerationConfig.Modality",
    values: &["MODALITY_UNSPECIFIED", "TEXT", "IMAGE", "AUDIO"],
};

static MEDIA_RESOLUTION: EnumType = EnumType {
    name: "GenerationConfig.MediaResolution",
    values: &[
        "MEDIA_RESOLUTION_UNSPECIFIED",
        "MEDIA_RESOLUTION_LOW",
        "MEDIA_RESOLUTION_MEDIUM",
        "MEDIA_RESOLUTION_HIGH",
    ],
};

static THINKING_CONFIG: Message = Message {
    name: "ThinkingConfig",
    fields: &[
        one("include_thoughts", Kind::Bool),
        one("thinking_budget", Kind::Int32),
        one("thinking_level", Kind::Enum(&THINKING_LEVEL)),
    ],
};

static THINKING_LEVEL: EnumType = EnumType {
    name: "ThinkingConfig.ThinkingLevel",
    values: &[
        "THINKING_LEVEL_UNSPECIFIED",
        "MINIMAL",
        "LOW",
        "MEDIUM",
        "HIGH",
    ],
};
