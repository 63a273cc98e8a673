//! Strict validation: each rule rejects what the real API rejects, with
//! Google's message, and accepts the valid form.

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{ask, generate, rejected, rejection, send, user};
use crate::support::start;

const MODEL: &str = "gemini-2.5-flash";

/// A request offering one function whose `parameters` are `schema`.
fn with_parameters(schema: Value) -> Value {
    json!({"contents": [user("Hi")], "tools": [{"functionDeclarations": [{"name": "f", "parameters": schema}]}]})
}

#[tokio::test]
async fn additional_properties_in_parameters_is_an_unknown_name() {
    let mock = start().await;
    let request = with_parameters(json!({"type": "object", "additionalProperties": false,
                                         "properties": {"a": {"type": "string"}}}));
    let error = rejected(&mock, MODEL, &request).await;
    let message = "Invalid JSON payload received. Unknown name \"additionalProperties\" at \
                   'tools[0].function_declarations[0].parameters': Cannot find field.";
    assert_eq!(error["message"], message);
    assert_eq!(
        error["details"],
        json!([{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [
            {"field": "tools[0].function_declarations[0].parameters", "description": message}
        ]}])
    );
}

#[tokio::test]
async fn json_schema_only_keys_are_rejected_at_any_depth_in_parameters_and_response_schema() {
    let mock = start().await;
    let keys = [
        "additionalProperties",
        "$schema",
        "$ref",
        "$defs",
        "const",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "patternProperties",
        "unevaluatedProperties",
    ];
    for key in keys {
        let nested = json!({"type": "object", "properties": {
            "plain": {"type": "string"},
            "deep": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "string"}}, key: 1}}
        }});
        let message = rejection(&mock, MODEL, &with_parameters(nested.clone())).await;
        assert_eq!(
            message,
            format!(
                "Invalid JSON payload received. Unknown name \"{key}\" at \
                     'tools[0].function_declarations[0].parameters.properties[1].value.items': Cannot find field."
            )
        );
        let mut request = ask("Hi");
        request["generationConfig"] =
            json!({"responseMimeType": "application/json", "responseSchema": nested.clone()});
        let message = rejection(&mock, MODEL, &request).await;
        assert!(
            message.contains("at 'generation_config.response_schema.properties[1].value.items'"),
            "{message}"
        );

        // JSON Schema proper belongs in `parametersJsonSchema`, where it is fine.
        let request = json!({"contents": [user("Hi")], "tools": [{"functionDeclarations": [
            {"name": "f", "parametersJsonSchema": nested}]}]});
        generate(&mock, MODEL, &request).await;
    }
    let clean = json!({"type": "object", "properties": {"a": {"type": "string", "nullable": true,
        "enum": ["x", "y"], "description": "d"}, "n": {"type": "number", "minimum": 0, "maximum": 9}},
        "required": ["a"], "propertyOrdering": ["a", "n"]});
    generate(&mock, MODEL, &with_parameters(clean)).await;
}

#[tokio::test]
async fn unknown_fields_anywhere_are_rejected_all_at_once() {
    let mock = start().await;
    let request = json!({
        "contents": [{"role": "user", "parts": [{"text": "Hi", "cache_control": {"type": "ephemeral"}}]}],
        "generationConfig": {"maxTokens": 5},
        "stream": true
    });
    let error = rejected(&mock, MODEL, &request).await;
    assert_eq!(
        error["message"],
        "Invalid JSON payload received. Unknown name \"cache_control\" at 'contents[0].parts[0]': Cannot find field.\n\
         Invalid JSON payload received. Unknown name \"maxTokens\" at 'generation_config': Cannot find field.\n\
         Invalid JSON payload received. Unknown name \"stream\": Cannot find field."
    );
    assert_eq!(
        error["details"][0]["fieldViolations"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        error["details"][0]["fieldViolations"][2],
        json!({"description":
        "Invalid JSON payload received. Unknown name \"stream\": Cannot find field."})
    );
}

#[tokio::test]
async fn a_json_schema_type_list_cannot_start_a_list() {
    let mock = start().await;
    let request = with_parameters(
        json!({"type": "object", "properties": {"a": {"type": ["string", "null"]}}}),
    );
    assert_eq!(
        rejection(&mock, MODEL, &request).await,
        "Invalid JSON payload received. Unknown name \"type\" at \
         'tools[0].function_declarations[0].parameters.properties[0].value': Proto field is not repeating, cannot start list."
    );
    let nullable = with_parameters(
        json!({"type": "object", "properties": {"a": {"type": "string", "nullable": true}}}),
    );
    generate(&mock, MODEL, &nullable).await;
}

#[tokio::test]
async fn values_of_the_wrong_type_are_invalid_values() {
    let mock = start().await;
    let mut request = ask("Hi");
    request["toolConfig"] = json!({"functionCallingConfig": {"mode": "REQUIRED"}});
    assert_eq!(
        rejection(&mock, MODEL, &request).await,
        "Invalid value at 'tool_config.function_calling_config.mode' \
         (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), \"REQUIRED\""
    );
    let request = json!({"contents": [
        user("Hi"),
        {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {}}}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "f", "response": "sunny"}}]}
    ]});
    assert_eq!(
        rejection(&mock, MODEL, &request).await,
        "Invalid value at 'contents[2].parts[0].function_response.response' \
         (type.googleapis.com/google.protobuf.Struct), \"sunny\""
    );
}

#[tokio::test]
async fn contents_must_not_be_empty() {
    let mock = start().await;
    for request in [json!({}), json!({"contents": []})] {
        assert_eq!(
            rejection(&mock, MODEL, &request).await,
            "* GenerateContentRequest.contents: contents is not specified\n"
        );
    }
}

#[tokio::test]
async fn roles_are_only_user_and_model_and_system_instruction_role_is_ignored() {
    let mock = start().await;
    for role in ["assistant", "system", "function", "tool"] {
        let request = json!({"contents": [{"role": role, "parts": [{"text": "Hi"}]}]});
        assert_eq!(
            rejection(&mock, MODEL, &request).await,
            "Please use a valid role: user, model."
        );
    }
    let request = json!({
        "systemInstruction": {"role": "system", "parts": [{"text": "Be brief"}]},
        "contents": [{"parts": [{"text": "Hi"}]}, {"role": "model", "parts": [{"text": "Hello"}]}, user("Again")]
    });
    generate(&mock, MODEL, &request).await;
}

#[tokio::test]
async fn each_part_holds_exactly_one_data_field_and_parts_are_not_empty() {
    let mock = start().await;
    let two = json!({"contents": [{"role": "user", "parts": [{"text": "Hi", "inlineData": {"mimeType": "image/png", "data": "AA=="}}]}]});
    assert_eq!(
        rejection(&mock, MODEL, &two).await,
        "Invalid value at 'contents[0].parts[0]' (oneof), oneof field 'data' is already set. Cannot set 'inlineData'"
    );
    let none = json!({"contents": [{"role": "user", "parts": [{"thought": true}, {"text": ""}]}]});
    assert_eq!(
        rejection(&mock, MODEL, &none).await,
        "* GenerateContentRequest.contents[0].parts[0].data: required oneof field 'data' must have one initialized field\n\
         * GenerateContentRequest.contents[0].parts[1].data: required oneof field 'data' must have one initialized field\n"
    );
    let empty = json!({"contents": [user("Hi"), {"role": "model", "parts": []}, user("Hi")]});
    assert_eq!(
        rejection(&mock, MODEL, &empty).await,
        "* GenerateContentRequest.contents[1].parts: contents.parts must not be empty.\n"
    );
    let one_each = json!({"contents": [{"role": "user", "parts": [
        {"text": "Look"}, {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
        {"fileData": {"mimeType": "application/pdf", "fileUri": "https://example.com/a.pdf"}}
    ]}]});
    generate(&mock, MODEL, &one_each).await;
}

#[tokio::test]
async fn function_calls_and_responses_need_a_name() {
    let mock = start().await;
    let request = json!({"contents": [
        user("Hi"),
        {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {}}}]},
        {"role": "user", "parts": [{"functionResponse": {"response": {"ok": true}}}]}
    ]});
    assert_eq!(
        rejection(&mock, MODEL, &request).await,
        "* GenerateContentRequest.contents[2].parts[0].function_response.name: Name cannot be empty.\n"
    );
}

#[tokio::test]
async fn a_function_response_must_follow_a_model_turn_calling_that_function() {
    let mock = start().await;
    let response = |name: &str| json!({"role": "user", "parts": [{"functionResponse": {"name": name, "response": {}}}]});
    let call = |name: &str| json!({"role": "model", "parts": [{"functionCall": {"name": name, "args": {}}}]});

    let orphan = json!({"contents": [user("Hi"), response("f")]});
    assert_eq!(
        rejection(&mock, MODEL, &orphan).await,
        "Please ensure that function response turn comes immediately after a function call turn."
    );
    let after_text = json!({"contents": [user("Hi"), {"role": "model", "parts": [{"text": "ok"}]}, response("f")]});
    assert_eq!(
        rejection(&mock, MODEL, &after_text).await,
        "Please ensure that function response turn comes immediately after a function call turn."
    );
    let wrong_name = json!({"contents": [user("Hi"), call("f"), response("g")]});
    assert!(
        rejection(&mock, MODEL, &wrong_name)
            .await
            .contains("Function response `g` matches no function call")
    );
    let too_many = json!({"contents": [user("Hi"), call("f"), {"role": "user", "parts": [
        {"functionResponse": {"name": "f", "response": {}}}, {"functionResponse": {"name": "f", "response": {}}}]}]});
    assert_eq!(
        rejection(&mock, MODEL, &too_many).await,
        "Please ensure that the number of function response parts is equal to the number of function \
         call parts of the function call turn."
    );
    let call_first = json!({"contents": [call("f"), response("f")]});
    assert_eq!(
        rejection(&mock, MODEL, &call_first).await,
        "Please ensure that function call turn comes immediately after a user turn or after a function \
         response turn."
    );
    generate(
        &mock,
        MODEL,
        &json!({"contents": [user("Hi"), call("f"), response("f")]}),
    )
    .await;
}

#[tokio::test]
async fn schemas_need_items_for_arrays_properties_for_objects_and_defined_required_names() {
    let mock = start().await;
    let request = with_parameters(json!({"type": "OBJECT", "properties": {
        "tags": {"type": "ARRAY"}, "options": {"type": "OBJECT", "properties": {}}
    }, "required": ["tags", "limit"]}));
    assert_eq!(
        rejection(&mock, MODEL, &request).await,
        "* GenerateContentRequest.tools[0].function_declarations[0].parameters.required[1]: property is not defined\n\
         * GenerateContentRequest.tools[0].function_declarations[0].parameters.properties[tags].items: missing field.\n\
         * GenerateContentRequest.tools[0].function_declarations[0].parameters.properties[options].properties: should be non-empty for OBJECT type\n"
    );
    let no_arguments = json!({"type": "object", "properties": {}});
    assert!(
        rejection(&mock, MODEL, &with_parameters(no_arguments))
            .await
            .ends_with("parameters.properties: should be non-empty for OBJECT type\n")
    );
    // A function without arguments leaves `parameters` out.
    let request =
        json!({"contents": [user("Hi")], "tools": [{"functionDeclarations": [{"name": "now"}]}]});
    generate(&mock, MODEL, &request).await;
}

#[tokio::test]
async fn function_names_must_fit_googles_alphabet_and_length() {
    let mock = start().await;
    for name in ["has space", "9starts_with_digit", &"x".repeat(65)] {
        let request = json!({"contents": [user("Hi")], "tools": [{"functionDeclarations": [{"name": name}]}]});
        let message = rejection(&mock, MODEL, &request).await;
        assert!(
            message.starts_with("* GenerateContentRequest.tools[0].function_declarations[0].name: Invalid function name."),
            "{name}: {message}"
        );
    }
    let request = json!({"contents": [user("Hi")], "tools": [{"functionDeclarations": [{"name": "mcp.server:tool-1"}]}]});
    generate(&mock, MODEL, &request).await;
}

#[tokio::test]
async fn a_body_that_is_not_json_or_not_an_object_is_rejected() {
    let mock = start().await;
    let answer = send(
        &mock,
        Method::POST,
        &format!("/v1beta/models/{MODEL}:generateContent"),
        &[("content-type", "application/json")],
        None,
    )
    .await;
    assert_eq!(answer.status, 400, "an empty body has no contents");
    let not_json = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!(
            "http://{}/v1beta/models/{MODEL}:generateContent",
            mock.addr()
        ))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    let error: Value = serde_json::from_str(&not_json.text().await.unwrap()).unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid JSON payload received.")
    );
    let array = rejection(&mock, MODEL, &json!([1])).await;
    assert!(array.contains("Root element must be a message."), "{array}");
}

#[tokio::test]
async fn unknown_query_parameters_are_rejected() {
    let mock = start().await;
    let answer = send(
        &mock,
        Method::POST,
        &format!("/v1beta/models/{MODEL}:generateContent?beta=true"),
        &[],
        Some(&ask("Hi")),
    )
    .await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.json()["error"]["message"],
        "Invalid JSON payload received. Unknown name \"beta\": Cannot bind query parameter. Field 'beta' \
         could not be found in request message."
    );
}
